# Golden values on tillit's own demo data: the synthetic chief-executive survey of the demo
# (respondents only; missing codes already set to NA), a census-style stratified design by
# country with the registry population as fpc (357 Norwegian, 98 Danish municipalities).
# Run from this directory: Rscript demo_survey.R  (writes demo_survey.json)
source("_golden.R")
suppressMessages({
  library(survey)
  library(psych)
})

d <- read.csv("demo/demo_survey.csv", stringsAsFactors = FALSE)
des <- svydesign(ids = ~1, strata = ~country, fpc = ~N, data = d)
items <- c("vt_pol_adm", "vt_adm_pol", "vt_mgr_emp", "vt_emp_mgr", "ht_services", "ht_prof_cit")

cases <- list()
for (v in items) {
  f <- as.formula(paste0("~", v))
  m <- svymean(f, des, na.rm = TRUE)
  b <- svyby(f, ~country, des, svymean, na.rm = TRUE)
  cases[[v]] <- list(
    mean = unname(coef(m)), se = unname(SE(m)),
    by_country = vec(unname(coef(b))), by_country_se = vec(unname(SE(b))),
    by_country_levels = vec(as.numeric(b$country))
  )
}
vt <- d[, c("vt_pol_adm", "vt_adm_pol", "vt_mgr_emp", "vt_emp_mgr")]
a <- psych::alpha(vt[complete.cases(vt), ], warnings = FALSE)
cases[["alpha_vertical"]] <- list(
  raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
  n = nrow(vt[complete.cases(vt), ])
)
write_golden(cases, "demo_survey.json")
