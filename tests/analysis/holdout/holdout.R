# Golden values of the hold-out surveys in this folder (test_holdout_golden.py). R 4, sandwich, metafor 3.8.
# Never run by the tests or the product:  Rscript tests/analysis/holdout/holdout.R tests/analysis/holdout
suppressMessages({library(sandwich); library(metafor)})
root <- commandArgs(TRUE)[1]; out <- commandArgs(TRUE)[2]  # optional: a folder for the values as CSV
keep <- function(t, name) if (!is.na(out)) write.csv(t, file.path(out, name), row.names = FALSE)
# SWEMWBS: WEMWBS items 1, 2, 3, 6, 7, 9, 11, raw 7-35 to the metric score (shared/reference/wemwbs.md).
metric <- c(7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59,
            19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00)
load <- function(d) {
  x <- read.csv(file.path(root, d, "responses.csv"))
  x$sw <- metric[rowSums(x[, paste0("wemwbs_", c(1, 2, 3, 6, 7, 9, 11))]) - 6]
  x$wem <- rowSums(x[, paste0("wemwbs_", 1:14)]); x$ls <- x$ons_life_satisfaction
  list(x = x, a = read.csv(file.path(root, d, "assets.csv")), cp = read.csv(file.path(root, d, "campaigns.csv")))
}
covs <- c("age_band", "gender", "employment", "years_in_area", "mode")
f <- y ~ u + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode)
one <- function(s, y, u) {  # HC3, t(n - k) interval; NA when nobody has the outcome
  s$y <- s[[y]]; s$u <- u; s <- s[complete.cases(s[, c("y", "u", covs)]), ]
  if (nrow(s) == 0) return(c(eff = NA, se = NA, lo = NA, hi = NA, p = NA, n = 0))
  m <- lm(f, data = s); se <- sqrt(vcovHC(m, type = "HC3")["u", "u"]); b <- coef(m)[["u"]]; q <- qt(.975, m$df.residual)
  c(eff = b, se = se, lo = b - q * se, hi = b + q * se, p = 2 * pt(-abs(b / se), m$df.residual), n = nrow(s))
}
effects <- function(d, y) {
  r <- do.call(rbind, lapply(seq_len(nrow(d$a)), function(i) {
    s <- d$x[d$x$community == d$a$community[i], ]; use <- s[[paste0("asset_", d$a$slug[i])]]
    pop <- d$cp$population_size[d$cp$community == d$a$community[i]]
    data.frame(asset = d$a$slug[i], t(one(s, y, as.numeric(use >= 1))),
               users = sum(use >= 1, na.rm = TRUE) / sum(!is.na(use)) * pop)  # share of those asked x population
  }))
  r$padj <- p.adjust(r$p, "BH"); r
}
crv3 <- function(d, y) {  # assets used in total, leave-one-community-out jackknife, (G - 1) / G, t(G - 1)
  x <- d$x; x$total <- 0; asked <- 0
  for (s in d$a$slug) { v <- x[[paste0("asset_", s)]]; asked <- asked + !is.na(v); x$total <- x$total + (!is.na(v) & v >= 1) }
  x$total[asked == 0] <- NA; x$y <- x[[y]]
  k <- x[complete.cases(x[, c("y", "total", covs)]), ]
  m <- lm(y ~ total + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode), k)
  G <- length(unique(k$community)); b <- coef(m)[["total"]]
  bg <- sapply(unique(k$community), function(c) coef(update(m, data = k[k$community != c, ]))[["total"]])
  se <- sqrt((G - 1) / G * sum((bg - b)^2))
  c(b = b, se = se, p = 2 * pt(-abs(b / se), G - 1), n = nrow(k))
}
show <- function(label, v) cat(label, format(v, digits = 12), "\n")

# 1. SWEMWBS with the ONS questions (birch asked them of about 40%, cherry of about 70%).
d <- load("swemwbs_ons"); sw <- effects(d, "sw"); ls <- effects(d, "ls")
# Valued: life satisfaction where its model keeps at least half the SWEMWBS model's people (ls_share_needed 0.5),
# otherwise 0.26 x the SWEMWBS effect; BH across the valued p; REML BLUPs of the valued effects.
use_ls <- is.finite(ls$eff) & ls$n >= 0.5 * pmax(sw$n, 1)
v <- data.frame(asset = sw$asset, ls = use_ls, eff = ifelse(use_ls, ls$eff, 0.26 * sw$eff),
                se = ifelse(use_ls, ls$se, 0.26 * sw$se), p = ifelse(use_ls, ls$p, sw$p), users = sw$users)
v$padj <- p.adjust(v$p, "BH")
fit <- rma(v$eff, sei = v$se, method = "REML", control = list(threshold = 1e-10, maxiter = 1000)); b <- blup(fit)
v$blup <- b$pred; v$blup_se <- b$se; v$value <- v$eff * v$users * 13000
print(format(sw, digits = 12)); print(format(v, digits = 12)); keep(sw, "b_swemwbs.csv"); keep(v, "b_valued.csv")
norm <- ifelse(d$x$gender == 2, 23.7, ifelse(d$x$gender == 1, 23.2, 23.45))  # 1 woman, 2 man, else their mean
dv <- (d$x$sw - norm)[!is.na(d$x$sw)]; t <- t.test(dv); show("norm", c(length(dv), mean(dv), t$conf.int))
show("kind_all_crv3", crv3(d, "sw"))

# 2. One community asked WEMWBS (alder), the others SWEMWBS only: WEMWBS models for alder alone, the SWEMWBS
# check for all, valued at 0.26 x effect x users x 13,000.
d <- load("mix"); wem <- effects(d, "wem"); sw <- effects(d, "sw"); sw$value <- 0.26 * sw$eff * sw$users * 13000
print(format(wem, digits = 12)); print(format(sw, digits = 12)); keep(wem, "d_wemwbs.csv"); keep(sw, "d_swemwbs.csv")
