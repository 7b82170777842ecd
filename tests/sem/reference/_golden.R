# Shared helpers for the golden-value scripts: a tiny JSON writer with full double precision
# (jsonlite rounds to 15 significant digits, these scripts keep 17).
# Sourced by every tests/analysis/reference/*.R script; run them from this directory:
#   Rscript survey_estimates.R   (writes survey_estimates.json next to it)

json_value <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (is.list(x)) {
    keys <- names(x)
    if (is.null(keys)) {
      items <- vapply(x, json_value, "", indent = inner)
      return(paste0("[\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "]"))
    }
    items <- vapply(seq_along(x), function(i) {
      paste0(json_string(keys[[i]]), ": ", json_value(x[[i]], inner))
    }, "")
    return(paste0("{\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "}"))
  }
  keep <- !is.null(attr(x, "keep_vector"))
  if (is.factor(x)) x <- as.character(x)
  if (is.character(x)) {
    vals <- vapply(x, function(s) if (is.na(s)) "null" else json_string(s), "")
  } else if (is.logical(x)) {
    vals <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    x <- as.numeric(x)
    vals <- ifelse(is.na(x) | is.infinite(x), "null", sprintf("%.17g", x))
  }
  if (length(vals) == 1 && !keep) return(unname(vals))
  paste0("[", paste(unname(vals), collapse = ", "), "]")
}

json_string <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  paste0("\"", s, "\"")
}

# A numeric vector always written as a JSON array (even of length 1).
vec <- function(x) {
  x <- as.vector(x)
  attr(x, "keep_vector") <- TRUE
  x
}

write_golden <- function(cases, path) {
  meta <- list(
    R = R.version.string,
    packages = lapply(c(survey = "survey", psych = "psych", lavaan = "lavaan"), function(p) {
      if (requireNamespace(p, quietly = TRUE)) as.character(packageVersion(p)) else NULL
    })
  )
  writeLines(json_value(list(meta = meta, cases = cases)), path, useBytes = TRUE)
}

# svystat (svymean, svytotal, svyby, svycontrast) -> estimate, se, ci with design df, deff.
stat_case <- function(call, x, df, extra = list()) {
  ci <- confint(x, df = df)
  out <- list(
    call = call,
    estimate = vec(coef(x)),
    se = vec(unlist(SE(x))),
    ci_low = vec(ci[, 1]),
    ci_high = vec(ci[, 2]),
    df = df,
    names = vec(names(coef(x)))
  )
  d <- tryCatch(suppressWarnings(deff(x)), error = function(e) NULL)
  if (!is.null(d)) out$deff <- vec(unlist(d))
  c(out, extra)
}
