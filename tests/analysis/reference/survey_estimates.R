# Golden values for tillit.analysis.estimate: svymean, svytotal, svyratio, svyby, svyciprop,
# svyttest, svycontrast, deff, lonely PSUs and census strata, on R's own `api` data.
# Run from this directory: Rscript survey_estimates.R  (writes survey_estimates.json)
suppressMessages(library(survey))
source("_golden.R")
data(api)
options(survey.lonely.psu = "fail")

dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
dsrs_nofpc <- svydesign(id = ~1, weights = ~pw, data = apisrs)
dstrat <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = apistrat)
dstrat_nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dclus1 <- svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1)
# Census of the high-school stratum (all 50 sampled: N_h = n_h), and a census of every stratum.
census_h <- apistrat
census_h$fpc[census_h$stype == "H"] <- 50
dcensus_h <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = census_h)
census_all <- apistrat
census_all$fpc <- ave(rep(1, nrow(apistrat)), apistrat$stype, FUN = sum)
dcensus_all <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = census_all)

cases <- list()
add <- function(key, call, x, design, extra = list()) {
  cases[[key]] <<- stat_case(call, x, degf(design), extra)
}

# Means and totals: SRS with and without fpc, stratified with and without fpc, one-stage cluster.
designs <- list(srs = dsrs, srs_nofpc = dsrs_nofpc, strat = dstrat, strat_nofpc = dstrat_nofpc,
                clus1 = dclus1)
for (name in names(designs)) {
  d <- designs[[name]]
  add(paste0("mean_", name), "svymean(~api00 + api99 + enroll, design, deff = TRUE)",
      svymean(~api00 + api99 + enroll, d, deff = TRUE), d)
  add(paste0("mean_replace_", name), "svymean(~api00 + enroll, design, deff = 'replace')",
      svymean(~api00 + enroll, d, deff = "replace"), d)
  add(paste0("total_", name), "svytotal(~enroll + api00, design, deff = TRUE)",
      svytotal(~enroll + api00, d, deff = TRUE), d)
  add(paste0("total_replace_", name), "svytotal(~enroll, design, deff = 'replace')",
      svytotal(~enroll, d, deff = "replace"), d)
  r <- svyratio(~api00, ~api99, d)
  cases[[paste0("ratio_", name)]] <- list(
    call = "svyratio(~api00, ~api99, design)", estimate = vec(coef(r)), se = vec(SE(r)),
    ci_low = vec(confint(r, df = degf(d))[, 1]), ci_high = vec(confint(r, df = degf(d))[, 2]),
    df = degf(d))
  add(paste0("by_mean_", name), "svyby(~api00 + enroll, ~stype, design, svymean, deff = TRUE)",
      svyby(~api00 + enroll, ~stype, d, svymean, deff = TRUE), d)
  add(paste0("by_total_", name), "svyby(~enroll, ~stype, design, svytotal, deff = TRUE)",
      svyby(~enroll, ~stype, d, svytotal, deff = TRUE), d)
  add(paste0("by2_mean_", name), "svyby(~api00, ~stype + awards, design, svymean)",
      svyby(~api00, ~stype + awards, d, svymean), d)
  rb <- svyby(~api00, ~awards, denominator = ~api99, design = d, svyratio)
  cases[[paste0("by_ratio_", name)]] <- list(
    call = "svyby(~api00, ~awards, denominator = ~api99, design, svyratio)",
    estimate = vec(coef(rb)), se = vec(SE(rb)), names = vec(names(coef(rb))), df = degf(d))
  # Proportions: a factor expands into its levels; the logit interval of svyciprop.
  add(paste0("prop_", name), "svymean(~sch.wide + awards, design, deff = TRUE)",
      svymean(~sch.wide + awards, d, deff = TRUE), d)
  add(paste0("by_prop_", name), "svyby(~sch.wide, ~stype, design, svymean)",
      svyby(~sch.wide, ~stype, d, svymean), d)
  cp <- svyciprop(~I(sch.wide == "Yes"), d, method = "logit", df = degf(d))
  cases[[paste0("ciprop_", name)]] <- list(
    call = "svyciprop(~I(sch.wide == 'Yes'), design, method = 'logit', df = degf(design))",
    estimate = as.numeric(cp), se = as.numeric(sqrt(attr(cp, "var"))),
    ci_low = as.numeric(attr(cp, "ci")[1]), ci_high = as.numeric(attr(cp, "ci")[2]), df = degf(d))
  # Missing values: na.rm = TRUE keeps the design (domain estimation over non-missing rows).
  add(paste0("mean_narm_", name), "svymean(~acs.k3, design, na.rm = TRUE, deff = TRUE)",
      svymean(~acs.k3, d, na.rm = TRUE, deff = TRUE), d)
  add(paste0("total_narm_", name), "svytotal(~acs.k3, design, na.rm = TRUE)",
      svytotal(~acs.k3, d, na.rm = TRUE), d)
  # Difference between two domains: the design-based t test (svyglm with a binary group).
  tt <- svyttest(api00 ~ awards, d)
  cases[[paste0("ttest_", name)]] <- list(
    call = "svyttest(api00 ~ awards, design)", estimate = as.numeric(tt$estimate),
    statistic = as.numeric(tt$statistic), df = as.numeric(tt$parameter),
    p_value = as.numeric(tt$p.value), design_df = degf(d))
}

# Contrast of domain means that are strata (independent, so svyby's block-diagonal covmat is exact).
b <- svyby(~api00, ~stype, dstrat, svymean, covmat = TRUE)
add("contrast_strat_E_minus_H", "svycontrast(svyby(~api00, ~stype, dstrat, svymean, covmat = TRUE), c(E = 1, H = -1))",
    svycontrast(b, c(E = 1, H = -1)), dstrat)

# Census: the high-school stratum contributes nothing; a full census gives SE exactly 0.
add("mean_census_h", "svymean(~api00 + enroll, dcensus_h)", svymean(~api00 + enroll, dcensus_h), dcensus_h)
add("by_mean_census_h", "svyby(~api00, ~stype, dcensus_h, svymean)",
    svyby(~api00, ~stype, dcensus_h, svymean), dcensus_h)
add("total_census_all", "svytotal(~enroll, dcensus_all)", svytotal(~enroll, dcensus_all), dcensus_all)
add("mean_census_all", "svymean(~api00, dcensus_all)", svymean(~api00, dcensus_all), dcensus_all)

# One sampled unit in a stratum: survey.lonely.psu options.
lonely <- apistrat[c(which(apistrat$stype != "H"), which(apistrat$stype == "H")[1]), ]
for (opt in c("certainty", "remove", "adjust")) {
  options(survey.lonely.psu = opt)
  dl <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = lonely)
  add(paste0("lonely_", opt), paste0("options(survey.lonely.psu = '", opt, "'); svymean(~api00 + enroll, design)"),
      svymean(~api00 + enroll, dl), dl)
  add(paste0("lonely_total_", opt), paste0("options(survey.lonely.psu = '", opt, "'); svytotal(~enroll, design)"),
      svytotal(~enroll, dl), dl)
}
options(survey.lonely.psu = "fail")
lonely_fail <- tryCatch({
  dl <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = lonely)
  svymean(~api00, dl)
  "no error"
}, error = function(e) conditionMessage(e))
cases[["lonely_fail"]] <- list(call = "options(survey.lonely.psu = 'fail'); svymean(~api00, design)",
                               message = lonely_fail)

write_golden(cases, "survey_estimates.json")
