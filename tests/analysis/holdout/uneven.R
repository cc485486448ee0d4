# Golden values of the ``uneven`` hold-out survey (test_holdout_uneven.py), written to uneven/golden.csv and
# uneven/golden_wemwbs.csv.
# R 4, sandwich, metafor 3.8. Never run by the tests or the product:
#   Rscript tests/analysis/holdout/uneven.R tests/analysis/holdout/uneven
# Computed from valuation.md, independently of the Python code: per asset, life satisfaction (ONS Q1) modelled
# with lm + HC3 (sandwich) among the asset's community, at least 10 users and 10 non-users in the model; valued
# on it when its model keeps at least half the people of the WEMWBS model, else 0.13 x the WEMWBS effect
# (bridged); BH over the valued p-values (NA left out); clear / suggestive / none; metafor REML BLUPs of the
# estimated effects; users = share of those asked x residents 16+ for random and quota samples, the surveyed
# users for a convenience sample; net = gross x (1 - deadweight)(1 - displacement)(1 - attribution), summed over
# the agreed years with drop-off and 1.5% discounting; GBP 13,000 a WELLBY (10,000 and 16,000 as sensitivity);
# the range from 2,000,000 Monte Carlo draws of the same model (effect + se x t(n - k), the distribution of its
# interval; share Beta(u + 1/2, a - u + 1/2);
# users = u + Binomial(N - a, share), one campaign's sample without replacement).
suppressMessages({library(sandwich); library(metafor)})
root <- commandArgs(TRUE)[1]
x <- read.csv(file.path(root, "responses.csv"))
a <- read.csv(file.path(root, "assets.csv"))
cp <- read.csv(file.path(root, "campaigns.csv"))
adj <- read.csv(file.path(root, "adjustments.csv"))
x$wem <- rowSums(x[, paste0("wemwbs_", 1:14)])  # NA unless all 14 answered
x$ls <- x$ons_life_satisfaction
covs <- c("age_band", "gender", "employment", "years_in_area", "mode")
f <- y ~ u + factor(age_band) + factor(gender) + factor(employment) + years_in_area + factor(mode)

one <- function(s, y, use) {  # HC3 and t(n - k); NA estimates with fewer than 10 users or non-users
  s$y <- s[[y]]; s$u <- as.numeric(use >= 1); s <- s[complete.cases(s[, c("y", "u", covs)]), ]
  out <- c(eff = NA, se = NA, lo = NA, hi = NA, p = NA, n = nrow(s), df = NA)
  if (min(sum(s$u), sum(1 - s$u)) < 10) return(out)
  m <- lm(f, data = s)
  stopifnot(max(hatvalues(m)) < 1 - 1e-8)  # no respondent fitted exactly by a covariate level of their own
  se <- sqrt(vcovHC(m, type = "HC3")["u", "u"]); b <- coef(m)[["u"]]; q <- qt(.975, m$df.residual)
  c(eff = b, se = se, lo = b - q * se, hi = b + q * se, p = 2 * pt(-abs(b / se), m$df.residual), n = nrow(s),
    df = m$df.residual)
}

rows <- lapply(seq_len(nrow(a)), function(i) {
  slug <- a$slug[i]; s <- x[x$community == a$community[i], ]; use <- s[[paste0("asset_", slug)]]
  wem <- one(s, "wem", use); ls <- one(s, "ls", use)
  on_ls <- is.finite(ls[["eff"]]) && ls[["n"]] >= 0.5 * max(wem[["n"]], 1)
  k <- if (on_ls) 1 else 0.13; m <- if (on_ls) ls else wem
  camp <- cp[cp$community == a$community[i], ]
  data.frame(asset = slug, outcome = if (on_ls) "life_satisfaction" else "wemwbs_bridged",
             effect = k * m[["eff"]], se = k * m[["se"]], ci_low = k * m[["lo"]], ci_high = k * m[["hi"]],
             p = m[["p"]], df = m[["df"]], n_users = sum(use >= 1, na.rm = TRUE), n_asked = sum(!is.na(use)),
             population = camp$population_size, method = camp$sampling_method,
             annual_cost = a$annual_cost[i], cost_year = a$cost_year[i])
})
v <- do.call(rbind, rows)
# The WEMWBS models themselves (complete forms only: about half the people), BH across them: asset_effects.csv.
wem <- do.call(rbind, lapply(seq_len(nrow(a)), function(i) {
  s <- x[x$community == a$community[i], ]
  data.frame(asset = a$slug[i], t(one(s, "wem", s[[paste0("asset_", a$slug[i])]])))
}))
wem$p_adj <- p.adjust(wem$p, "BH")
write.csv(wem, file.path(root, "golden_wemwbs.csv"), row.names = FALSE, quote = FALSE, na = "")
v$p_adj <- p.adjust(v$p, "BH")
v$evidence <- ifelse(is.na(v$p), "not_estimated", ifelse(v$p_adj < 0.05, "clear", ifelse(v$p < 0.05, "suggestive", "none")))
est <- is.finite(v$effect)
fit <- rma(v$effect[est], sei = v$se[est], method = "REML", control = list(threshold = 1e-10, maxiter = 1000))
b <- blup(fit); v$effect_shrunk <- NA; v$se_shrunk <- NA
v$effect_shrunk[est] <- b$pred; v$se_shrunk[est] <- b$se
scaled <- v$method %in% c("random", "quota")
v$users_valued <- ifelse(scaled, v$n_users / v$n_asked * v$population, v$n_users)

settings <- function(slug) {
  r <- adj[adj$asset == slug, ]
  if (nrow(r) == 0) return(list(dw = 0, disp = 0, attr = 0, drop = 0, years = 1))
  list(dw = r$deadweight, disp = r$displacement, attr = r$attribution, drop = r$drop_off, years = r$years)
}
v$factor <- sapply(v$asset, function(slug) {
  s <- settings(slug); t <- 0:(s$years - 1)
  (1 - s$dw) * (1 - s$disp) * (1 - s$attr) * sum(((1 - s$drop) / 1.015)^t)
})
v$cost_years <- sapply(v$asset, function(slug) sum(1 / 1.035^(0:(settings(slug)$years - 1))))
point <- v$effect * v$users_valued
v$value_central <- point * 13000 * v$factor
v$value_central_wellby_low <- point * 10000 * v$factor
v$value_central_wellby_high <- point * 16000 * v$factor
v$value_shrunk_central <- v$effect_shrunk * v$users_valued * 13000 * v$factor
ratio <- v$evidence == "clear" & is.finite(v$effect) & v$effect > 0 & is.finite(v$annual_cost) & v$annual_cost > 0
v$bcr_central <- ifelse(ratio, v$value_central / (v$annual_cost * v$cost_years), NA)

set.seed(20261205); draws <- 2e6
v$value_low <- NA; v$value_high <- NA
for (i in which(est)) {
  effects <- v$effect[i] + v$se[i] * rt(draws, v$df[i])
  if (scaled[i]) {
    u <- v$n_users[i]; asked <- v$n_asked[i]
    share <- rbeta(draws, u + 0.5, asked - u + 0.5)
    users <- u + rbinom(draws, v$population[i] - asked, share)
  } else {
    users <- v$n_users[i]
  }
  q <- quantile(effects * users * 13000 * v$factor[i], c(0.025, 0.975), type = 7)  # numpy's default percentile
  v$value_low[i] <- q[[1]]; v$value_high[i] <- q[[2]]
}
keep <- c("asset", "outcome", "effect", "se", "ci_low", "ci_high", "p", "df", "p_adj", "evidence", "effect_shrunk",
          "se_shrunk", "n_users", "n_asked", "users_valued", "value_central", "value_central_wellby_low",
          "value_central_wellby_high", "value_shrunk_central", "value_low", "value_high", "bcr_central")
print(format(v[, keep], digits = 12))
cat("REML tau2", format(fit$tau2, digits = 12), "mu", format(fit$b[1], digits = 12), "\n")
write.csv(v[, keep], file.path(root, "golden.csv"), row.names = FALSE, quote = FALSE, na = "")  # 15 significant digits
