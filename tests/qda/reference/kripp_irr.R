# Krippendorff's alpha from R's irr package on the Krippendorff (2011) example C and the
# Wikipedia 3 x 15 example; prints one JSON object. Run: Rscript kripp_irr.R
# irr is not installed on the machine where tillit's oracles were written (no Rscript there);
# tests/qda/test_alpha.py::test_matches_r_irr runs this script when Rscript and irr exist.
suppressMessages(library(irr))
na <- NA
c_data <- rbind(
  c(1, 2, 3, 3, 2, 1, 4, 1, 2, na, na, na),
  c(1, 2, 3, 3, 2, 2, 4, 1, 2, 5, na, 3),
  c(na, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, na),
  c(1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, na)
)
w_data <- rbind(
  c(na, na, na, na, na, 3, 4, 1, 2, 1, 1, 3, 3, na, 3),
  c(1, na, 2, 1, 3, 3, 4, 3, na, na, na, na, na, na, na),
  c(na, na, 2, 1, 3, 4, 4, na, 2, 1, 1, 3, 3, na, 4)
)
out <- c()
for (level in c("nominal", "ordinal", "interval", "ratio")) {
  out <- c(out, sprintf('"C_%s": %.15g', level, kripp.alpha(c_data, level)$value))
  out <- c(out, sprintf('"W_%s": %.15g', level, kripp.alpha(w_data, level)$value))
}
cat(paste0("{", paste(out, collapse = ", "), "}\n"))
