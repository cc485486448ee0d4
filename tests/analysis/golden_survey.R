# How the golden values in test_end_to_end_golden.py were computed (R 4, sandwich, metafor 3.8).
# Never run by the tests or the product. Write the survey first:
#   python -c "from pathlib import Path; from tests.analysis.golden_survey import write_golden; write_golden(Path('g'))"
#   Rscript tests/analysis/golden_survey.R g
suppressMessages({library(sandwich); library(metafor)})
d <- commandArgs(TRUE)[1]
x <- read.csv(file.path(d, "responses.csv")); a <- read.csv(file.path(d, "assets.csv"))
x$wem <- rowSums(x[, paste0("wemwbs_", 1:14)])  # NA when an item is missing (complete cases)
x$ls <- x$ons_life_satisfaction
f <- ~ u + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode)
fit1 <- function(out, slug, comm) {
  s <- x[x$community == comm, ]; s$u <- as.numeric(s[[paste0("asset_", slug)]] >= 1)
  s <- s[complete.cases(s[, c(out, "u", "age_band", "gender", "employment", "years_in_area", "mode")]), ]
  m <- lm(update(f, as.formula(paste(out, "~ ."))), data = s)
  se <- sqrt(vcovHC(m, type = "HC3")["u", "u"]); b <- coef(m)[["u"]]; q <- qt(.975, m$df.residual)
  c(b, se, b - q * se, b + q * se, 2 * pt(-abs(b / se), m$df.residual), nrow(s))
}
res <- do.call(rbind, lapply(seq_len(nrow(a)), function(i) {
  w <- fit1("wem", a$slug[i], a$community[i]); l <- fit1("ls", a$slug[i], a$community[i])
  data.frame(asset = a$slug[i], w_eff = w[1], w_se = w[2], w_lo = w[3], w_hi = w[4], w_p = w[5],
             l_eff = l[1], l_se = l[2], l_p = l[5])
}))
res$w_padj <- p.adjust(res$w_p, "BH"); res$l_padj <- p.adjust(res$l_p, "BH")
fit <- rma(res$l_eff, sei = res$l_se, method = "REML"); b <- blup(fit)
res$blup <- b$pred; res$blup_se <- b$se
print(format(res, digits = 10))
for (g in c("overall", unique(x$community))) {
  v <- if (g == "overall") x$wem else x$wem[x$community == g]; v <- v[!is.na(v)]; t <- t.test(v)
  cat(g, length(v), mean(v), sd(v), t$conf.int, "\n")
}
# Assets used in total, pooled OLS, leave-one-community-out jackknife ((G - 1) / G, as summclust's CRV3).
x$tot <- 0
for (i in seq_len(nrow(a))) {
  inC <- x$community == a$community[i]; v <- x[[paste0("asset_", a$slug[i])]][inC]
  x$tot[inC] <- x$tot[inC] + ifelse(is.na(v), 0, v >= 1)
}
s <- x[complete.cases(x[, c("wem", "tot", "age_band", "gender", "employment", "years_in_area", "mode")]), ]
g <- wem ~ tot + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode)
m <- lm(g, data = s); G <- length(unique(s$community))
bs <- sapply(unique(s$community), function(k) coef(lm(g, data = s[s$community != k, ]))[["tot"]])
se <- sqrt((G - 1) / G * sum((bs - coef(m)[["tot"]])^2))
cat("total", nrow(s), coef(m)[["tot"]], se, 2 * pt(-abs(coef(m)[["tot"]] / se), G - 1), "\n")
