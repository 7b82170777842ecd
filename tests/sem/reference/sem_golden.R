# Golden values for tillit.sem: lavaan ML fits (default settings: marker-variable identification,
# biased covariance (N), standard SEs from the expected information, chi-square = N * F) of CFA
# and SEM models on HolzingerSwineford1939, PoliticalDemocracy and tillit's synthetic trust data,
# plus composite reliability (omega from the fitted model) and psych::alpha per factor.
# Run from this directory after export_data.R:  Rscript sem_golden.R  (writes sem_golden.json)
suppressMessages({
  library(lavaan)
  library(psych)
})
# The JSON writer shared with the analysis golden values (a copy beside this script wins).
source(if (file.exists("_golden.R")) "_golden.R" else "../../analysis/reference/_golden.R")

hs <- read.csv("data/HolzingerSwineford1939.csv")
pd <- read.csv("data/PoliticalDemocracy.csv")
trust <- read.csv("data/trust_synthetic.csv")

MEASURES <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl",
              "aic", "bic", "npar", "ntotal")

case <- function(model, data, std.lv = FALSE, reliability = TRUE) {
  fit <- sem(model, data = data, std.lv = std.lv)
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~", "~~"), ]
  pt <- parTable(fit)
  free <- merge(pe[, c("lhs", "op", "rhs")], pt[, c("lhs", "op", "rhs", "free", "exo")],
                sort = FALSE)
  key <- paste(pe$lhs, pe$op, pe$rhs)
  free <- free[match(key, paste(free$lhs, free$op, free$rhs)), ]
  fm <- fitMeasures(fit, MEASURES)
  out <- list(
    model = model,
    std_lv = std.lv,
    n = lavInspect(fit, "ntotal"),
    lhs = vec(pe$lhs), op = vec(pe$op), rhs = vec(pe$rhs),
    free = vec(free$free > 0), exo = vec(free$exo > 0),
    est = vec(pe$est), se = vec(pe$se), std_all = vec(pe$std.all),
    fit = as.list(setNames(as.numeric(fm), gsub(".", "_", MEASURES, fixed = TRUE))),
    r2_names = vec(names(lavInspect(fit, "r2"))),
    r2 = vec(unname(lavInspect(fit, "r2")))
  )
  if (reliability) {
    # From the parameter table (so phantom variables of regressed indicators are handled the
    # same way as plain indicators): loadings f =~ item, residual (co)variances item ~~ item.
    factors <- unique(pe$lhs[pe$op == "=~"])
    rel <- list()
    for (f in factors) {
      items <- pe$rhs[pe$op == "=~" & pe$lhs == f]
      l <- sum(pe$est[pe$op == "=~" & pe$lhs == f])
      common <- l^2 * lavInspect(fit, "cov.lv")[f, f]
      # omega: common variance over model-implied variance of the sum score (residual
      # covariances among the items included); for simple structure this is
      # semTools::compRelSEM(obs.var = FALSE).
      resid <- pe[pe$op == "~~" & pe$lhs %in% items & pe$rhs %in% items, ]
      unique_var <- sum(resid$est * ifelse(resid$lhs == resid$rhs, 1, 2))
      omega <- common / (common + unique_var)
      a <- suppressWarnings(suppressMessages(psych::alpha(data[, items], warnings = FALSE)))
      rel[[f]] <- list(items = vec(items), omega = omega, alpha = a$total$raw_alpha)
    }
    out$reliability <- rel
  }
  out
}

HS3 <- "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
cases <- list()
cases[["hs_cfa"]] <- case(HS3, hs)
cases[["hs_cfa_std_lv"]] <- case(HS3, hs, std.lv = TRUE)
cases[["hs_sem"]] <- case(paste0(HS3, "; speed ~ visual + textual"), hs)
cases[["hs_sem_covariate"]] <- case(paste0(HS3, "; speed ~ visual + textual + ageyr"), hs)
cases[["hs_sem_cov_y"]] <- case(paste0(HS3, "; textual ~ visual; speed ~ visual; x1 ~~ x4"), hs)
cases[["hs_cfa_labels"]] <- case(
  "visual =~ x1 + a*x2 + a*x3; textual =~ x4 + x5 + x6; speed =~ x7 + 1*x8 + x9; x7 ~~ x8", hs)
cases[["hs_second_order"]] <- case(paste0(HS3, "; g =~ visual + textual + speed"), hs,
                                   reliability = FALSE)
cases[["hs_mimic_direct"]] <- case(paste0(HS3, "; visual ~ sex + ageyr; x4 ~ ageyr"), hs)
cases[["hs_path_observed"]] <- case("x7 ~ x1 + x4 + ageyr; x8 ~ x7 + x1", hs, reliability = FALSE)
cases[["political_democracy"]] <- case(paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + a*y2 + b*y3 + c*y4",
  "dem65 =~ y5 + a*y6 + b*y7 + c*y8",
  "dem60 ~ ind60",
  "dem65 ~ ind60 + dem60",
  "y1 ~~ y5",
  "y2 ~~ y4 + y6",
  "y3 ~~ y7",
  "y4 ~~ y8",
  "y6 ~~ y8", sep = "; "), pd)
TRUST <- paste(
  "vertical =~ tv_politicians + tv_administration + tv_managers + tv_frontline",
  "horizontal =~ th_services + th_professions + th_citizens",
  "institutional =~ ti_state + ti_courts + ti_municipality",
  "interpersonal =~ tp_people + tp_colleagues + tp_neighbours", sep = "; ")
cases[["trust_cfa"]] <- case(TRUST, trust)
cases[["trust_sem"]] <- case(paste0(TRUST, "; horizontal ~ vertical + log_pop"), trust)

write_golden(cases, "sem_golden.json")
