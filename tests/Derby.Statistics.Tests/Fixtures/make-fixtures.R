#!/usr/bin/env Rscript
# Reference fixtures for Derby.Statistics, computed by R's own packages.
#
# Run from this folder:  Rscript make-fixtures.R
# Needs Debian's r-base-core (4.2.2), r-cran-proc (1.18.0), r-cran-survival (3.5), r-cran-glmnet (4.1),
# r-cran-jsonlite. Every data set is generated here with a fixed seed and written to data/*.csv, so the C# tests read
# exactly the numbers R used; every expected value is written to *.json with full precision (digits = NA).
suppressPackageStartupMessages({
  library(pROC); library(survival); library(glmnet); library(jsonlite); library(MASS)
})
stopifnot(packageVersion("pROC") == "1.18.0")
RNGversion("4.2.0")
dir.create("data", showWarnings = FALSE)

write_data <- function(df, name) write.csv(df, file.path("data", paste0(name, ".csv")), row.names = FALSE)
write_json_file <- function(x, name) {
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE),
             paste0(name, ".json"))
}
# Values are rounded to 6 significant digits before being written, so the CSV holds exactly what R computes with.
r6 <- function(x) signif(x, 6)

# ---------------------------------------------------------------- ROC, DeLong, bootstrap, paired test
set.seed(20240501)
roc_sets <- list()
mk_roc <- function(name, label, score1, score2) {
  df <- data.frame(label = label, score1 = r6(score1), score2 = r6(score2))
  write_data(df, name)
  r1 <- roc(df$label, df$score1, levels = c(0, 1), direction = "<", quiet = TRUE)
  r2 <- roc(df$label, df$score2, levels = c(0, 1), direction = "<", quiet = TRUE)
  ci1 <- ci.auc(r1, method = "delong")
  v1 <- var(r1)
  t12 <- roc.test(r1, r2, method = "delong", paired = TRUE)
  list(name = name, auc = as.numeric(auc(r1)), ci_lower = ci1[1], ci_upper = ci1[3], se = sqrt(v1),
       n_cases = length(r1$cases), n_controls = length(r1$controls),
       auc2 = as.numeric(auc(r2)), test_z = unname(t12$statistic), test_p = t12$p.value,
       thresholds = r1$thresholds, sensitivities = r1$sensitivities, specificities = r1$specificities)
}
n <- 12; lab <- c(0,0,0,0,0,0,1,1,1,1,1,1)
roc_sets[[1]] <- mk_roc("roc_small_ties", lab, c(0.1,0.3,0.3,0.5,0.2,0.7, 0.3,0.8,0.5,0.9,0.7,0.4),
                        c(1,2,2,3,1,2, 3,3,2,4,4,1))
n <- 200; lab <- rbinom(n, 1, 0.4); z <- rnorm(n)
roc_sets[[2]] <- mk_roc("roc_rounded", lab, round(lab * 0.8 + z, 1), round(lab * 0.5 + 0.6 * z + rnorm(n, 0, 0.8), 1))
n <- 5000; lab <- rbinom(n, 1, 0.3)
roc_sets[[3]] <- mk_roc("roc_large", lab, lab * 0.6 + rnorm(n), lab * 0.4 + rnorm(n))
roc_sets[[4]] <- mk_roc("roc_tiny", c(0, 0, 1, 1, 0), c(0.2, 0.6, 0.5, 0.9, 0.1), c(0.3, 0.1, 0.4, 0.2, 0.8))
lab <- rep(c(0, 1), each = 15)
roc_sets[[5]] <- mk_roc("roc_separated", lab, c(runif(15, 0, 0.4), runif(15, 0.6, 1)), runif(30))
# Bootstrap: pROC's own interval, for a Monte Carlo comparison (the random streams differ, the distributions do not).
r <- roc(read.csv("data/roc_rounded.csv")$label, read.csv("data/roc_rounded.csv")$score1, levels = c(0, 1), direction = "<", quiet = TRUE)
set.seed(7)
bci <- ci.auc(r, method = "bootstrap", boot.n = 2000, boot.stratified = TRUE, progress = "none")
write_json_file(list(sets = roc_sets, bootstrap = list(name = "roc_rounded", boot_n = 2000, ci_lower = bci[1], ci_upper = bci[3])), "roc")

# ---------------------------------------------------------------- binomial intervals and diagnostic accuracy
binom_cases <- list(c(0, 10), c(1, 10), c(5, 10), c(10, 10), c(37, 46), c(43, 56), c(37, 50), c(43, 52), c(80, 102), c(1, 1), c(250, 1000))
binom <- lapply(binom_cases, function(kn) {
  cp <- binom.test(kn[1], kn[2])$conf.int
  wi <- suppressWarnings(prop.test(kn[1], kn[2], correct = FALSE)$conf.int)
  list(successes = kn[1], trials = kn[2], estimate = kn[1] / kn[2], cp_lower = cp[1], cp_upper = cp[2], wilson_lower = wi[1], wilson_upper = wi[2])
})
write_json_file(binom, "binomial")

# ---------------------------------------------------------------- calibration: Brier, Hosmer-Lemeshow, intercept/slope, DCA
# ResourceSelection is not packaged by Debian; hoslem.test (ResourceSelection 0.3-5) is reproduced line for line:
hoslem <- function(x, y, g = 10) {
  qq <- unique(quantile(y, probs = seq(0, 1, 1/g)))
  cutyhat <- cut(y, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - x, y1 = x) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - y, yhat1 = y) ~ cutyhat)
  chisq <- sum((observed - expected)^2/expected)
  list(chisq = chisq, df = g - 2, p = 1 - pchisq(chisq, g - 2),
       bins = lapply(levels(cutyhat), function(l) { i <- cutyhat == l; list(n = sum(i), mean_predicted = mean(y[i]), observed = mean(x[i])) }))
}
# rmda is not packaged either: net benefit is computed from its definition (Vickers and Elkin 2006).
dca <- function(p, y, thresholds) lapply(thresholds, function(pt) {
  n <- length(y); tp <- sum(p >= pt & y == 1); fp <- sum(p >= pt & y == 0); prev <- mean(y)
  list(threshold = pt, net_benefit = tp/n - fp/n * pt/(1 - pt), net_benefit_all = prev - (1 - prev) * pt/(1 - pt))
})
calib <- list()
mk_calib <- function(name, p, y, g = 10) {
  df <- data.frame(label = y, prob = r6(p)); write_data(df, name)
  p <- df$prob; y <- df$label
  hl <- hoslem(y, p, g)
  fit <- glm(y ~ qlogis(p), family = binomial)
  th <- seq(0.01, 0.99, by = 0.01)
  list(name = name, groups = g, brier = mean((p - y)^2), hl_chisq = hl$chisq, hl_df = hl$df, hl_p = hl$p, bins = hl$bins,
       intercept = unname(coef(fit)[1]), slope = unname(coef(fit)[2]), dca = dca(p, y, th))
}
set.seed(11)
n <- 300; lp <- rnorm(n, -0.3, 1.2); y <- rbinom(n, 1, plogis(lp))
calib[[1]] <- mk_calib("calib_continuous", plogis(0.8 * lp + 0.2), y)
n <- 120; p <- sample(c(0.1, 0.2, 0.2, 0.35, 0.5, 0.6, 0.8), n, replace = TRUE); y <- rbinom(n, 1, p)
calib[[2]] <- mk_calib("calib_tied", p, y)
n <- 60; lp <- rnorm(n); y <- rbinom(n, 1, plogis(lp))
calib[[3]] <- mk_calib("calib_small_g5", plogis(lp), y, 5)
write_json_file(calib, "calibration")

# ---------------------------------------------------------------- survival: KM, log-rank, Cox, cox.zph
surv <- list()
mk_surv <- function(name, df) {
  write_data(df, name)
  fit <- survfit(Surv(time, event) ~ group, data = df)
  tab <- summary(fit)$table
  s <- summary(fit)  # event times only
  strata_names <- sub("^group=", "", names(fit$strata))
  risk_times <- c(0, 2.5, 5, 10, 20)
  risk <- summary(fit, times = risk_times, extend = TRUE)
  groups <- lapply(seq_along(strata_names), function(k) {
    idx <- as.integer(s$strata) == k
    list(group = strata_names[k], risk_times = risk_times, n_risk_at = I(risk$n.risk[as.integer(risk$strata) == k]),
         n = unname(tab[k, "records"]), events = unname(tab[k, "events"]),
         median = unname(tab[k, "median"]), median_ci_lower = unname(tab[k, "0.95LCL"]), median_ci_upper = unname(tab[k, "0.95UCL"]),
         curve = list(time = I(s$time[idx]), n_risk = I(s$n.risk[idx]), n_event = I(s$n.event[idx]), survival = I(s$surv[idx]),
                      ci_lower = I(s$lower[idx]), ci_upper = I(s$upper[idx])))
  })
  sd <- survdiff(Surv(time, event) ~ group, data = df)
  df_lr <- sum(sd$exp > 0) - 1
  cox <- coxph(Surv(time, event) ~ x1 + x2 + x3, data = df)
  ci <- exp(confint(cox))
  zph <- cox.zph(cox)$table
  list(name = name, km = groups, logrank = list(chisq = sd$chisq, df = df_lr, p = pchisq(sd$chisq, df_lr, lower.tail = FALSE)),
       cox = list(n = cox$n, events = cox$nevent, coef = unname(coef(cox)), se = unname(sqrt(diag(vcov(cox)))),
                  hr_ci_lower = unname(ci[, 1]), hr_ci_upper = unname(ci[, 2]),
                  z = unname(summary(cox)$coefficients[, "z"]), p = unname(summary(cox)$coefficients[, "Pr(>|z|)"]),
                  loglik_null = cox$loglik[1], loglik = cox$loglik[2], concordance = unname(cox$concordance["concordance"])),
       zph = list(chisq = unname(zph[, "chisq"]), df = unname(zph[, "df"]), p = unname(zph[, "p"])))
}
set.seed(5)
n <- 80; g <- rbinom(n, 1, 0.5); x1 <- r6(rnorm(n)); x3 <- r6(runif(n, 40, 80))
t <- round(rexp(n, 0.08 * exp(-0.6 * g + 0.4 * x1)), 0) + 1; cens <- round(runif(n, 5, 40))
surv[[1]] <- mk_surv("surv_ties", data.frame(time = pmin(t, cens), event = as.integer(t <= cens), group = g, x1 = x1, x2 = g, x3 = x3))
n <- 30; g <- sample(c("A", "B", "C"), n, replace = TRUE); x1 <- r6(rnorm(n)); x2 <- rbinom(n, 1, 0.5)
t <- r6(rweibull(n, 1.3, 12)); cens <- r6(runif(n, 0, 25))
surv[[2]] <- mk_surv("surv_heavy_censoring", data.frame(time = pmin(t, cens), event = as.integer(t <= cens), group = g, x1 = x1, x2 = x2, x3 = r6(rnorm(n))))
# Small, no censoring: every curve reaches 0 (NA limits), medians fall on flat stretches at exactly 0.5.
surv[[3]] <- mk_surv("surv_complete", data.frame(time = c(1, 2, 3, 4, 5, 6, 2, 3, 5, 7, 11, 13, 17, 19),
  event = 1, group = rep(c(1, 2), c(6, 8)), x1 = c(0.5, -1.2, 0.3, 1.1, -0.4, 0.9, -0.7, 0.2, 1.6, -1.5, 0.1, 0.8, -0.2, 0.4),
  x2 = c(0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0), x3 = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7)))
set.seed(9)
n <- 2000; g <- rbinom(n, 1, 0.4); x1 <- r6(rnorm(n)); x3 <- r6(rnorm(n, 0, 2))
t <- r6(rexp(n, 0.1 * exp(0.5 * g - 0.3 * x1 + 0.1 * x3))); cens <- r6(rexp(n, 0.05))
surv[[4]] <- mk_surv("surv_large", data.frame(time = round(pmin(t, cens), 1), event = as.integer(t <= cens), group = g, x1 = x1, x2 = g, x3 = x3))
write_json_file(surv, "survival")

# ---------------------------------------------------------------- Cox: monotone likelihood ("coefficient may be infinite")
# When the events separate along a covariate (at every event time the subject failing has the largest, or smallest,
# value in the risk set), the partial likelihood keeps rising as the coefficient goes to +/- infinity: coxph stops when the
# log-likelihood stops changing and warns "Loglik converged before variable k; coefficient may be infinite". Its test
# (coxph.fit): |u' V| > eps and > toler.inf * |beta| with u the score and V the variance at the estimate. The warning's
# variable numbers are recorded as a logical vector, one per covariate.
cox_mono <- list()
mk_cox_mono <- function(name, df, covs) {
  write_data(df, name)
  warnings <- character(0)
  fit <- withCallingHandlers(coxph(reformulate(covs, "Surv(time, event)"), data = df),
                             warning = function(w) { warnings <<- c(warnings, conditionMessage(w)); invokeRestart("muffleWarning") })
  infinite <- rep(FALSE, length(covs))
  for (w in warnings) {
    m <- regmatches(w, regexec("converged before variable +([0-9, ]+) *;", w))[[1]]
    if (length(m) == 2) infinite[as.integer(strsplit(gsub(" ", "", m[2]), ",")[[1]])] <- TRUE
  }
  list(name = name, covariates = I(covs), coef = I(unname(coef(fit))), loglik_null = fit$loglik[1], loglik = fit$loglik[2],
       iter = fit$iter, infinite = I(infinite), warnings = I(warnings))
}
set.seed(21)
# Every event of group 1 comes after the last subject of group 0 has left the risk set: beta -> -infinity.
n <- 40; g <- rep(0:1, each = n / 2)
t <- r6(ifelse(g == 0, runif(n, 1, 10), runif(n, 10.5, 30))); e <- rbinom(n, 1, 0.75); e[c(1, n)] <- 1L
cox_mono[[1]] <- mk_cox_mono("cox_mono_low", data.frame(time = t, event = e, g = g), "g")
# The same separation with a second, ordinary covariate: only g is flagged.
x1 <- r6(rnorm(n))
cox_mono[[2]] <- mk_cox_mono("cox_mono_two", data.frame(time = t, event = e, g = g, x1 = x1), c("g", "x1"))
# Group 1 fails first: beta -> +infinity.
t <- r6(ifelse(g == 1, runif(n, 1, 10), runif(n, 10.5, 30)))
cox_mono[[3]] <- mk_cox_mono("cox_mono_high", data.frame(time = t, event = e, g = g), "g")
# Nearly separated: one event of group 0 after group 1's events start. The coefficient is large but finite: no warning.
t <- r6(ifelse(g == 0, runif(n, 1, 10), runif(n, 10.5, 30))); t[3] <- 15.5; e[3] <- 1L
cox_mono[[4]] <- mk_cox_mono("cox_mono_near", data.frame(time = t, event = e, g = g), "g")
# A continuous covariate that orders the event times exactly (the earlier the event, the larger x): beta -> +infinity.
t <- r6(runif(n, 1, 30)); x <- r6(-t + rnorm(n, 0, 0.01))
cox_mono[[5]] <- mk_cox_mono("cox_mono_continuous", data.frame(time = t, event = e, x = x), "x")
write_json_file(cox_mono, "cox-monotone")

# ---------------------------------------------------------------- logistic regression with profile-likelihood CIs
logi <- list()
mk_logistic <- function(name, df, covs) {
  write_data(df, name)
  fit <- glm(reformulate(covs, "y"), family = binomial, data = df)
  ci <- suppressMessages(confint(fit))
  sm <- summary(fit)$coefficients
  list(name = name, covariates = I(covs), names = rownames(sm), coef = unname(coef(fit)), se = unname(sm[, 2]),
       or_ci_lower = unname(exp(ci[, 1])), or_ci_upper = unname(exp(ci[, 2])), p = unname(sm[, 4]), aic = AIC(fit))
}
set.seed(3)
n <- 200; a <- r6(rnorm(n)); b <- rbinom(n, 1, 0.4); c <- r6(runif(n, 20, 80))
y <- rbinom(n, 1, plogis(-1 + 0.8 * a + 0.7 * b + 0.02 * c))
logi[[1]] <- mk_logistic("logistic_three", data.frame(y = y, a = a, b = b, c = c), c("a", "b", "c"))
n <- 40; a <- r6(rnorm(n)); y <- rbinom(n, 1, plogis(0.3 + 1.1 * a))
logi[[2]] <- mk_logistic("logistic_small", data.frame(y = y, a = a), c("a"))
# The paper's external DERBY+ confusion matrix as one row per patient: predicted class against response.
pred <- c(rep(1, 37), rep(0, 9), rep(0, 43), rep(1, 13)); resp <- c(rep(1, 46), rep(0, 56))
logi[[3]] <- mk_logistic("logistic_table2", data.frame(y = resp, predicted = pred), c("predicted"))
write_json_file(logi, "logistic")

# ---------------------------------------------------------------- Mann-Whitney, chi-square, z-test
tests <- list(mannwhitney = list(), chisq = list(), ztest = list())
set.seed(21)
mk_mw <- function(name, value, group) {
  df <- data.frame(value = value, group = group); write_data(df, name)
  w <- wilcox.test(value ~ group, data = df)
  list(name = name, w = unname(w$statistic), p = w$p.value)
}
tests$mannwhitney[[1]] <- mk_mw("mw_exact", r6(c(rnorm(10), rnorm(12, 0.8))), rep(c(0, 1), c(10, 12)))
tests$mannwhitney[[2]] <- mk_mw("mw_ties", c(1, 2, 2, 3, 3, 3, 4, 5, 2, 3, 4, 4, 5, 5, 6), rep(c(0, 1), c(8, 7)))
tests$mannwhitney[[3]] <- mk_mw("mw_large", r6(c(rnorm(60), rnorm(70, 0.3))), rep(c(0, 1), c(60, 70)))
mk_chisq <- function(name, row, col) {
  df <- data.frame(row = row, col = col); write_data(df, name)
  ct <- suppressWarnings(chisq.test(table(df$row, df$col)))
  list(name = name, chisq = unname(ct$statistic), df = unname(ct$parameter), p = ct$p.value)
}
tests$chisq[[1]] <- mk_chisq("chisq_2x2", rbinom(90, 1, 0.4), rbinom(90, 1, 0.5))
tests$chisq[[2]] <- mk_chisq("chisq_3x4", sample(c("a", "b", "c"), 150, TRUE), sample(1:4, 150, TRUE))
tests$chisq[[3]] <- mk_chisq("chisq_2x2_small", c(rep(1, 9), rep(0, 7)), c(1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0))
mk_z <- function(name, value, group) {
  df <- data.frame(value = value, group = group); write_data(df, name)
  x <- df$value[df$group == 1]; y <- df$value[df$group == 0]
  z <- (mean(x) - mean(y)) / sqrt(var(x)/length(x) + var(y)/length(y))
  list(name = name, z = z, p = 2 * pnorm(-abs(z)))
}
tests$ztest[[1]] <- mk_z("ztest_trs", r6(c(rnorm(40, 0.62, 0.15), rnorm(50, 0.41, 0.18))), rep(c(1, 0), c(40, 50)))
write_json_file(tests, "tests")

# ---------------------------------------------------------------- LASSO (glmnet) path, coef at s, cv with fixed folds
set.seed(17)
n <- 150; p <- 8
X <- matrix(r6(rnorm(n * p)), n, p); X[, 2] <- r6(X[, 1] * 0.6 + X[, 2] * 0.8); X[, 5] <- r6(X[, 5] * 3 + 10)
colnames(X) <- paste0("v", 1:p)
y <- rbinom(n, 1, plogis(-0.4 + 1.0 * X[, 1] - 0.8 * X[, 3] + 0.15 * X[, 5] - 1.5))
foldid <- sample(rep(1:10, length.out = n))
df <- data.frame(y = y, X, fold = foldid); write_data(df, "lasso")
fit <- glmnet(X, y, family = "binomial")
s_values <- c(fit$lambda[3] * 0.97, 0.05, 0.02, 0.01, 0.003, fit$lambda[length(fit$lambda)] * 0.5)
at <- lapply(s_values, function(s) { cf <- as.numeric(coef(fit, s = s)); list(lambda = s, intercept = cf[1], coefficients = cf[-1]) })
cv <- cv.glmnet(X, y, family = "binomial", foldid = foldid)
# Separated data: glmnet still fits (the penalty keeps coefficients finite).
set.seed(18)
xs <- matrix(r6(rnorm(60 * 3)), 60, 3); colnames(xs) <- c("a", "b", "c"); ys <- as.integer(xs[, 1] > 0)
write_data(data.frame(y = ys, xs), "lasso_separated")
fs <- glmnet(xs, ys, family = "binomial")
write_json_file(list(
  lambda = fit$lambda, dev_ratio = fit$dev.ratio, a0 = unname(fit$a0), at = at,
  cv = list(lambda_min = cv$lambda.min, lambda_1se = cv$lambda.1se, cvm = cv$cvm, cvsd = cv$cvsd),
  separated = list(lambda = fs$lambda, at = lapply(c(0.05, 0.01), function(s) { cf <- as.numeric(coef(fs, s = s)); list(lambda = s, intercept = cf[1], coefficients = cf[-1]) }))
), "lasso")

# ---------------------------------------------------------------- R's spline() and approx(), used by confint's profile
sx <- c(-0.9, -0.45, 0, 0.3, 0.75, 1.4, 2.1); sy <- c(-2.3, -1.2, 0, 0.7, 1.6, 2.5, 3.1)
sp <- spline(sx, sy)
write_json_file(list(x = sx, y = sy, out_x = sp$x, out_y = sp$y, approx_at = c(-1.959964, 1.959964),
                     approx = approx(sp$y, sp$x, xout = c(-1.959964, 1.959964))$y), "spline")
cat("fixtures written\n")
