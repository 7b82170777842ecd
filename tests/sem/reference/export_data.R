# Data for the tillit.sem golden values, written to data/*.csv. Run from this directory:
#   Rscript export_data.R
# * HolzingerSwineford1939 and PoliticalDemocracy ship with lavaan (see README.md for provenance
#   and licence).
# * trust_synthetic.csv is SYNTHETIC: tillit's own simulated survey of chief executives with
#   vertical, horizontal, institutional and interpersonal trust items (0-10), generated here with
#   a fixed seed. No real respondent is in it.
suppressMessages(library(lavaan))

write.csv(HolzingerSwineford1939, "data/HolzingerSwineford1939.csv", row.names = FALSE)
write.csv(PoliticalDemocracy, "data/PoliticalDemocracy.csv", row.names = FALSE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20230302)
n <- 480
country <- rep(c("NO", "DK"), times = c(290, 190))
log_pop <- round(ifelse(country == "NO", rnorm(n, 9.2, 1.1), rnorm(n, 10.6, 0.6)), 3)
size_c <- (log_pop - 9.7) / 1.1
# Correlated exogenous factors: vertical trust, institutional and interpersonal trust.
z <- matrix(rnorm(n * 3), n, 3)
chol_r <- chol(matrix(c(1, 0.45, 0.30,
                        0.45, 1, 0.35,
                        0.30, 0.35, 1), 3, 3))
f <- z %*% chol_r
vertical <- f[, 1]
institutional <- f[, 2]
interpersonal <- f[, 3]
horizontal <- 0.55 * vertical - 0.20 * size_c + rnorm(n, 0, sqrt(0.62))
item <- function(factor, loading, mean, noise) {
  x <- mean + loading * factor + rnorm(n, 0, noise)
  pmin(10, pmax(0, round(x)))
}
d <- data.frame(
  respondent = sprintf("S%03d", seq_len(n)),
  country = country,
  log_pop = log_pop,
  tv_politicians = item(vertical, 1.6, 5.8, 1.3),
  tv_administration = item(vertical, 1.4, 6.6, 1.2),
  tv_managers = item(vertical, 1.5, 6.9, 1.1),
  tv_frontline = item(vertical, 1.2, 7.2, 1.3),
  th_services = item(horizontal, 1.5, 6.1, 1.2),
  th_professions = item(horizontal, 1.3, 6.4, 1.3),
  th_citizens = item(horizontal, 1.1, 7.0, 1.4),
  ti_state = item(institutional, 1.4, 6.0, 1.2),
  ti_courts = item(institutional, 1.2, 7.4, 1.1),
  ti_municipality = item(institutional, 1.3, 6.5, 1.3),
  tp_people = item(interpersonal, 1.3, 7.1, 1.1),
  tp_colleagues = item(interpersonal, 1.1, 7.6, 1.2),
  tp_neighbours = item(interpersonal, 1.0, 7.0, 1.3)
)
write.csv(d, "data/trust_synthetic.csv", row.names = FALSE)
