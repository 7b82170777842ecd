# Export the example data sets to CSV so that Python reads exactly what R uses.
# R's own `api` data (package survey, GPL-2 | GPL-3) and `bfi` (package psychTools, GPL-2 | GPL-3).
# Run from this directory: Rscript export_data.R
suppressMessages({
  library(survey)
  library(psychTools)
})
data(api)
# Doubles are written with the fewest significant digits (15 to 17) that read back identically.
shortest <- function(x) {
  out <- sprintf("%.15g", x)
  for (d in 16:17) {
    bad <- !is.na(x) & suppressWarnings(as.numeric(out)) != x
    out[bad] <- sprintf(paste0("%.", d, "g"), x[bad])
  }
  out[is.na(x)] <- NA
  out
}
write_exact <- function(df, path) {
  out <- df
  for (col in names(out)) if (is.double(out[[col]])) out[[col]] <- shortest(out[[col]])
  text_cols <- which(!vapply(df, is.numeric, TRUE))
  write.csv(out, path, row.names = FALSE, na = "", fileEncoding = "UTF-8", quote = text_cols)
  classes <- vapply(df, function(v) if (is.numeric(v)) "numeric" else "character", "")
  back <- read.csv(path, colClasses = classes, na.strings = "", encoding = "UTF-8", check.names = FALSE)
  for (col in names(df)) {
    a <- df[[col]]
    b <- back[[col]]
    if (is.factor(a)) a <- as.character(a)
    if (is.numeric(a)) ok <- identical(as.numeric(a), as.numeric(b)) else ok <- identical(a, b)
    if (!ok) stop("column ", col, " does not survive the CSV round trip in ", path)
  }
}
write_exact(apisrs, "data/apisrs.csv")
write_exact(apistrat, "data/apistrat.csv")
write_exact(apiclus1, "data/apiclus1.csv")
bfi_out <- data.frame(id = rownames(bfi), bfi, check.names = FALSE)
write_exact(bfi_out, "data/bfi.csv")
