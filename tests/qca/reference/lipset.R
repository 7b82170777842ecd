# Re-run the Lipset oracles with R's QCA package (3.25.1 recorded them; see PROVENANCE_lipset.md).
# QCA is not in Debian 12 and CRAN is closed here, so CI never runs this; tests/qca/test_r_rerun.py
# runs it when `library(QCA)` loads and compares its output with the recorded JSON files.
# Usage: Rscript lipset.R lipset_data.json out.json
suppressMessages({library(QCA); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- fromJSON(args[1])
frame <- function(x) { x <- as.data.frame(x); rownames(x) <- x$case; x$case <- NULL; x }
LC <- frame(d$LC); LF <- frame(d$LF); LM <- frame(d$LM)
sol <- function(m) {
  ic <- if (is.null(m$IC$incl.cov)) m$IC$overall$incl.cov else m$IC$incl.cov
  list(solution = paste(m$solution[[1]], collapse = " + "),
       terms = lapply(seq(nrow(ic)), function(i) list(term = rownames(ic)[i],
         inclS = ic[i, "inclS"], PRI = ic[i, "PRI"], covS = ic[i, "covS"], covU = ic[i, "covU"])))
}
isol <- function(m) sol(m$i.sol[[1]])
ttLC <- truthTable(LC, "SURV"); ttLCn <- truthTable(LC, "~SURV")
ttLF <- truthTable(LF, "SURV", incl.cut = 0.8)
ttLM <- truthTable(LM, "SURV", conditions = "DEV, URB, LIT, IND")
out <- list(
  LC_conservative = sol(minimize(ttLC)),
  LC_parsimonious = sol(minimize(ttLC, include = "?")),
  LC_intermediate = isol(minimize(ttLC, include = "?", dir.exp = c(DEV, URB, LIT, IND, STB))),
  LCneg_conservative = sol(minimize(ttLCn)),
  LCneg_parsimonious = sol(minimize(ttLCn, include = "?")),
  LF_conservative = sol(minimize(ttLF)),
  LF_parsimonious = sol(minimize(ttLF, include = "?")),
  LF_intermediate = isol(minimize(ttLF, include = "?", dir.exp = c(DEV, URB, LIT, IND, STB))),
  LM_conservative = sol(minimize(ttLM)),
  LM_parsimonious = sol(minimize(ttLM, include = "?"))
)
write_json(out, args[2], digits = 15, auto_unbox = TRUE, pretty = TRUE)
