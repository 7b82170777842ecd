# Read tillit's .sav and .dta exports back with R haven and print what R sees, as JSON.
#
# Usage: Rscript tests/interop/reference/read_back.R EXPORT.sav EXPORT.dta > read_back.json
#
# For every variable: its label, its value labels (value -> label; Stata's tagged missing values
# written "NA(a)"), SPSS's declared missing values (na_values), and the values themselves
# (numbers; "NA(a)" for tagged missing; null for system missing; dates as YYYY-MM-DD and
# date-times as YYYY-MM-DDTHH:MM:SS in UTC). tests/interop/test_r_haven.py compares this with
# what tillit wrote; read_back.json next to this script is the recorded output.
suppressPackageStartupMessages({
  library(haven)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2)

value_text <- function(x) {
  if (inherits(x, "POSIXct")) {
    out <- format(x, "%Y-%m-%dT%H:%M:%S", tz = "UTC")
    return(lapply(out, function(v) if (is.na(v)) NULL else v))
  }
  if (inherits(x, "Date")) {
    out <- format(x, "%Y-%m-%d")
    return(lapply(out, function(v) if (is.na(v)) NULL else v))
  }
  if (is.character(x)) {
    return(lapply(x, function(v) if (is.na(v) || v == "") NULL else v))
  }
  x <- vctrs::vec_data(x)
  tags <- na_tag(x)
  lapply(seq_along(x), function(i) {
    if (!is.na(tags[i])) paste0("NA(", tags[i], ")")
    else if (is.na(x[i])) NULL
    else x[i]
  })
}

labels_of <- function(x) {
  labs <- attr(x, "labels", exact = TRUE)
  if (is.null(labs)) return(list())
  tags <- na_tag(labs)
  values <- ifelse(is.na(tags), format(unclass(labs), trim = TRUE, scientific = FALSE),
                   paste0("NA(", tags, ")"))
  setNames(as.list(names(labs)), values)
}

describe <- function(df) {
  out <- list()
  for (name in names(df)) {
    x <- df[[name]]
    entry <- list(
      label = attr(x, "label", exact = TRUE),
      labels = labels_of(x),
      values = value_text(x)
    )
    na <- attr(x, "na_values", exact = TRUE)
    if (!is.null(na)) entry$na_values <- as.list(na)
    out[[name]] <- entry
  }
  out
}

result <- list(
  haven = as.character(packageVersion("haven")),
  sav = describe(read_sav(args[1], user_na = TRUE)),
  dta = describe(read_dta(args[2]))
)
cat(toJSON(result, auto_unbox = TRUE, null = "null", pretty = TRUE, digits = NA), "\n")
