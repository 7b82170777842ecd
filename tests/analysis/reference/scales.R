# Golden values for tillit.analysis.scales: psych::alpha (raw and standardised alpha, Feldt CI,
# Duhachek ase, r.drop, alpha if item deleted), psych::omega(nfactors = 1) omega total, and the
# single-factor ML (lavaan::cfa) omega, on psychTools' `bfi` data.
# Run from this directory: Rscript scales.R  (writes scales.json)
suppressMessages({
  library(psych)
  library(psychTools)
  library(lavaan)
})
source("_golden.R")

cases <- list()
alpha_case <- function(call, a) {
  list(call = call,
       raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, average_r = a$total$average_r,
       ase = a$total$ase, feldt_low = as.numeric(a$feldt$lower.ci), feldt_high = as.numeric(a$feldt$upper.ci),
       mean = a$total$mean, sd = a$total$sd,
       r_drop = vec(a$item.stats$r.drop), alpha_drop = vec(a$alpha.drop$raw_alpha),
       std_alpha_drop = vec(a$alpha.drop$std.alpha),
       item_mean = vec(a$item.stats$mean), item_sd = vec(a$item.stats$sd), n = vec(a$item.stats$n))
}

# Conscientiousness C1-C5 (C4, C5 reverse keyed), complete cases.
cc <- na.omit(bfi[, paste0("C", 1:5)])
cases[["alpha_C_listwise"]] <- alpha_case(
  "psych::alpha(na.omit(bfi[, C1:C5]), keys = c('C4', 'C5'))",
  psych::alpha(cc, keys = c("C4", "C5")))
# Agreeableness A1-A5 (A1 reverse keyed), missing values: psych's default pairwise covariances.
aa <- bfi[, paste0("A", 1:5)]
cases[["alpha_A_pairwise"]] <- alpha_case(
  "psych::alpha(bfi[, A1:A5], keys = 'A1')  # use = 'pairwise'",
  psych::alpha(aa, keys = "A1"))
# Reversal by hand (7 - x) equals keys=.
cc_rev <- cc
cc_rev$C4 <- 7 - cc_rev$C4
cc_rev$C5 <- 7 - cc_rev$C5
cases[["alpha_C_reversed_by_hand"]] <- alpha_case(
  "psych::alpha(cc with C4, C5 replaced by 7 - x)", psych::alpha(cc_rev))

# psych::omega with one factor (minres on the correlation matrix): omega_t.
om <- suppressWarnings(suppressMessages(omega(cc_rev, nfactors = 1, plot = FALSE)))
cases[["omega_psych_C"]] <- list(
  call = "psych::omega(cc_rev, nfactors = 1)$omega.tot",
  omega_total = om$omega.tot, alpha = om$alpha,
  loadings = vec(om$schmid$sl[, 1]), uniquenesses = vec(om$schmid$sl[, "u2"]))
ac <- na.omit(aa)
ac$A1 <- 7 - ac$A1
om2 <- suppressWarnings(suppressMessages(omega(ac, nfactors = 1, plot = FALSE)))
cases[["omega_psych_A"]] <- list(
  call = "psych::omega(na.omit(bfi[, A1:A5]) with A1 reversed, nfactors = 1)$omega.tot",
  omega_total = om2$omega.tot, alpha = om2$alpha,
  loadings = vec(om2$schmid$sl[, 1]), uniquenesses = vec(om2$schmid$sl[, "u2"]))

# Single-factor CFA by maximum likelihood: omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta).
cfa_omega <- function(data) {
  items <- names(data)
  model <- paste("f =~", paste(items, collapse = " + "))
  fit <- cfa(model, data = data, std.lv = TRUE)
  est <- parameterEstimates(fit)
  lambda <- est$est[est$op == "=~"]
  theta <- est$est[est$op == "~~" & est$lhs == est$rhs & est$lhs %in% items]
  list(omega = sum(lambda)^2 / (sum(lambda)^2 + sum(theta)), loadings = vec(lambda), residuals = vec(theta))
}
cases[["omega_ml_C"]] <- c(list(call = "lavaan::cfa('f =~ C1 + ... + C5', cc_rev, std.lv = TRUE)"), cfa_omega(cc_rev))
cases[["omega_ml_A"]] <- c(list(call = "lavaan::cfa('f =~ A1 + ... + A5', ac, std.lv = TRUE)"), cfa_omega(ac))

write_golden(cases, "scales.json")
