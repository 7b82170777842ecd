# Golden values for tillit.analysis.regression and tillit.analysis.tables: svyglm (gaussian and
# quasibinomial) and svychisq (Rao-Scott F and Chisq), on R's own `api` data.
# Run from this directory: Rscript survey_models.R  (writes survey_models.json)
suppressMessages(library(survey))
source("_golden.R")
data(api)

dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
dsrs_nofpc <- svydesign(id = ~1, weights = ~pw, data = apisrs)
dstrat <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
designs <- list(srs = dsrs, srs_nofpc = dsrs_nofpc, strat = dstrat, clus1 = dclus1,
                rake_clus1 = rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                                  control = list(maxit = 100, epsilon = 1e-10)))

cases <- list()
glm_case <- function(call, m) {
  s <- summary(m)$coefficients
  ci <- confint(m)
  list(call = call, names = vec(rownames(s)), estimate = vec(s[, 1]), se = vec(s[, 2]),
       statistic = vec(s[, 3]), p_value = vec(s[, 4]), ci_low = vec(ci[, 1]), ci_high = vec(ci[, 2]),
       df = m$df.residual, vcov = vec(vcov(m)), iter = m$iter)
}
chisq_case <- function(call, x) {
  list(call = call, statistic = as.numeric(x$statistic), parameter = vec(x$parameter),
       p_value = as.numeric(x$p.value))
}

for (name in names(designs)) {
  d <- designs[[name]]
  cases[[paste0("glm_gaussian_", name)]] <- glm_case(
    "svyglm(api00 ~ ell + meals + mobility, design)", svyglm(api00 ~ ell + meals + mobility, d))
  cases[[paste0("glm_gaussian_factor_", name)]] <- glm_case(
    "svyglm(api00 ~ stype + enroll, design)", svyglm(api00 ~ stype + enroll, d))
  cases[[paste0("glm_quasibinomial_", name)]] <- glm_case(
    "svyglm(I(sch.wide == 'Yes') ~ ell + meals + mobility, design, family = quasibinomial())",
    svyglm(I(sch.wide == "Yes") ~ ell + meals + mobility, d, family = quasibinomial()))
  cases[[paste0("chisq_F_", name)]] <- chisq_case(
    "svychisq(~sch.wide + stype, design)", svychisq(~sch.wide + stype, d))
  cases[[paste0("chisq_Chisq_", name)]] <- chisq_case(
    "svychisq(~sch.wide + stype, design, statistic = 'Chisq')",
    svychisq(~sch.wide + stype, d, statistic = "Chisq"))
  cases[[paste0("chisq_F_3x3_", name)]] <- chisq_case(
    "svychisq(~stype + both, design)",
    svychisq(~stype + both, d))
  tab <- svytable(~sch.wide + stype, d)
  cases[[paste0("table_", name)]] <- list(call = "svytable(~sch.wide + stype, design)",
                                          table = vec(as.numeric(tab)), dim = vec(dim(tab)))
  cp <- svyby(~stype, ~sch.wide, d, svymean)
  cases[[paste0("rowprop_", name)]] <- stat_case("svyby(~stype, ~sch.wide, design, svymean)", cp, degf(d))
}

write_golden(cases, "survey_models.json")
