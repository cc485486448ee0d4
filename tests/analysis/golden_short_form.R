# Golden values of the SWEMWBS-only survey in test_end_to_end_golden.py (R 4, sandwich, metafor 3.8).
# Never run by the tests or the product. Write the survey first:
#   python -c "from pathlib import Path; from tests.analysis.golden_survey import write_golden; \
#              write_golden(Path('gs'), asked='swemwbs')"
#   Rscript tests/analysis/golden_short_form.R gs
suppressMessages({library(sandwich); library(metafor)})
d <- commandArgs(TRUE)[1]
x <- read.csv(file.path(d, "responses.csv")); a <- read.csv(file.path(d, "assets.csv"))
# SWEMWBS: WEMWBS items 1, 2, 3, 6, 7, 9, 11, raw 7-35 to the metric score (shared/reference/wemwbs.md).
metric <- c(7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59,
            19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00)
raw <- rowSums(x[, paste0("wemwbs_", c(1, 2, 3, 6, 7, 9, 11))])
x$sw <- metric[raw - 6]
f <- sw ~ u + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode)
res <- do.call(rbind, lapply(seq_len(nrow(a)), function(i) {
  s <- x[x$community == a$community[i], ]; s$u <- as.numeric(s[[paste0("asset_", a$slug[i])]] >= 1)
  s <- s[complete.cases(s[, c("sw", "u", "age_band", "gender", "employment", "years_in_area", "mode")]), ]
  m <- lm(f, data = s); se <- sqrt(vcovHC(m, type = "HC3")["u", "u"]); b <- coef(m)[["u"]]
  q <- qt(.975, m$df.residual)
  data.frame(asset = a$slug[i], eff = b, se = se, lo = b - q * se, hi = b + q * se,
             p = 2 * pt(-abs(b / se), m$df.residual), n = nrow(s))
}))
res$padj <- p.adjust(res$p, "BH")
# Valued through the SWEMWBS bridge: 0.26 life-satisfaction points per SWEMWBS point; BLUPs of the bridged effects.
# A tight convergence threshold: at the default (1e-5) tau2 is off in its fourth digit here.
fit <- rma(0.26 * res$eff, sei = 0.26 * res$se, method = "REML", control = list(threshold = 1e-10, maxiter = 1000))
b <- blup(fit)
res$blup <- b$pred; res$blup_se <- b$se
print(format(res, digits = 10))
v <- x$sw[!is.na(x$sw)]; t <- t.test(v); cat("overall", length(v), format(c(mean(v), sd(v), t$conf.int), digits = 10), "\n")
# England norm for the same gender mix: men 23.7, women 23.2, otherwise their mean (Ng Fat et al. 2017).
norm <- ifelse(x$gender == 2, 23.7, ifelse(x$gender == 1, 23.2, 23.45))  # 1 woman, 2 man
dv <- (x$sw - norm)[!is.na(x$sw)]; t <- t.test(dv); cat("norm", length(dv), format(c(mean(dv), t$conf.int), digits = 10), "\n")
