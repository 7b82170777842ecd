# Golden values for tillit.analysis.weights: postStratify, rake, calibrate (linear), trimWeights,
# and estimates with their SEs on the adjusted designs, on R's own `api` data.
# Run from this directory: Rscript survey_weights.R  (writes survey_weights.json)
suppressMessages(library(survey))
source("_golden.R")
data(api)

dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
dstrat <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
designs <- list(srs = dsrs, strat = dstrat, clus1 = dclus1)

cases <- list()
estimates <- function(prefix, call, d) {
  cases[[paste0(prefix, "_weights")]] <<- list(call = paste0("weights(", call, ")"), weights = vec(weights(d)))
  m <- svymean(~api00 + enroll, d)
  cases[[paste0(prefix, "_mean")]] <<- stat_case(paste0("svymean(~api00 + enroll, ", call, ")"), m, degf(d))
  t <- svytotal(~enroll, d)
  cases[[paste0(prefix, "_total")]] <<- stat_case(paste0("svytotal(~enroll, ", call, ")"), t, degf(d))
  b <- svyby(~api00, ~awards, d, svymean)
  cases[[paste0(prefix, "_by_mean")]] <<- stat_case(paste0("svyby(~api00, ~awards, ", call, ", svymean)"), b, degf(d))
  p <- svymean(~sch.wide, d)
  cases[[paste0(prefix, "_prop")]] <<- stat_case(paste0("svymean(~sch.wide, ", call, ")"), p, degf(d))
  r <- svyratio(~api00, ~api99, d)
  cases[[paste0(prefix, "_ratio")]] <<- list(call = paste0("svyratio(~api00, ~api99, ", call, ")"),
                                            estimate = vec(coef(r)), se = vec(SE(r)))
}

for (name in names(designs)) {
  d <- designs[[name]]
  ps <- postStratify(d, ~stype, pop.types)
  estimates(paste0("poststratify_", name), "postStratify(design, ~stype, pop.types)", ps)

  rk <- rake(d, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
  estimates(paste0("rake_", name), "rake(design, list(~stype, ~sch.wide), list(pop.types, pop.schwide))", rk)

  rk2 <- rake(d, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
              control = list(maxit = 100, epsilon = 1e-10))
  estimates(paste0("rake_tight_", name),
            "rake(design, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = list(maxit = 100, epsilon = 1e-10))",
            rk2)

  pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)
  cl <- calibrate(d, ~stype, pop.totals)
  estimates(paste0("calibrate_stype_", name), "calibrate(design, ~stype, c(6194, 755, 1018))", cl)

  cl2 <- calibrate(d, ~stype + api99, c(pop.totals, api99 = 3914069))
  estimates(paste0("calibrate_api99_", name), "calibrate(design, ~stype + api99, c(6194, 755, 1018, 3914069))", cl2)

  # Post-stratification after calibration: adjustments applied in order.
  cl_ps <- postStratify(calibrate(d, ~api99, c(`(Intercept)` = 6194, api99 = 3914069)), ~stype, pop.types)
  estimates(paste0("calibrate_then_poststratify_", name),
            "postStratify(calibrate(design, ~api99, c(6194, 3914069)), ~stype, pop.types)", cl_ps)
}

# Trimming with redistribution (R adds the trimmed weight equally to the untrimmed units).
dpw <- svydesign(id = ~1, strata = ~stype, weights = ~I(pw * (1 + (api00 %% 7) / 6)), data = apistrat)
tr <- trimWeights(dpw, upper = 80, lower = 20)
cases[["trim_weights"]] <- list(call = "trimWeights(design, upper = 80, lower = 20)", weights = vec(weights(tr)))
tr2 <- trimWeights(dpw, upper = 70, lower = 20, strict = TRUE)
cases[["trim_weights_strict"]] <- list(call = "trimWeights(design, upper = 70, lower = 20, strict = TRUE)",
                                       weights = vec(weights(tr2)))
cases[["trim_input_weights"]] <- list(call = "weights(design)", weights = vec(weights(dpw)))

# Raking whose margins disagree about the population size.
bad <- tryCatch({
  rake(dsrs, list(~stype, ~sch.wide), list(pop.types, data.frame(sch.wide = c("No", "Yes"), Freq = c(1000, 5000))))
  "no error"
}, warning = function(w) conditionMessage(w), error = function(e) conditionMessage(e))
cases[["rake_inconsistent"]] <- list(call = "rake(...) with margins summing to 6194 and 6000", message = bad)

write_golden(cases, "survey_weights.json")
