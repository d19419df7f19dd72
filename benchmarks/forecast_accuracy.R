# Hold-out accuracy of `cxm forecast` (automatic ETS) against R's
# forecast::ets with default settings on public series bundled with R.
#
#   Rscript benchmarks/forecast_accuracy.R build/dev/src/cli/cxm
#
# Each series loses its last 2 x frequency points (10 for yearly series);
# both methods fit the rest and forecast the held-out points. MASE scales
# the absolute errors by the in-sample mean absolute error of the seasonal
# naive forecast (lag = frequency; lag 1 for yearly series), Hyndman &
# Koehler (2006). Coverage is the share of held-out points inside the 95 %
# prediction intervals. Needs the R package forecast (r-cran-forecast).
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
cxm <- if (length(args) >= 1) args[1] else "cxm"
series <- list(
  AirPassengers = AirPassengers, nottem = nottem, UKDriverDeaths = UKDriverDeaths, ldeaths = ldeaths,
  USAccDeaths = USAccDeaths, co2 = co2, sunspots_1900 = window(sunspot.month, 1900, c(1929, 12)),
  JohnsonJohnson = JohnsonJohnson, UKgas = UKgas, austres = austres, presidents = na.omit(as.numeric(presidents)),
  Nile = Nile, lynx = lynx, LakeHuron = LakeHuron, airmiles = airmiles, WWWusage = WWWusage)
# presidents (quarterly approval ratings) has gaps: without them and without its
# quarters it is scored as a plain series (frequency 1)
freq_of <- function(y) if (is.ts(y)) frequency(y) else 1
mase <- function(train, test, f, m) {
  lag <- if (m > 1) m else 1
  q <- mean(abs(diff(as.numeric(train), lag = lag)))
  mean(abs(as.numeric(test) - f)) / q
}
rows <- list()
tmp <- tempfile(fileext = ".csv")
out <- tempfile(fileext = ".csv")
for (name in names(series)) {
  y <- series[[name]]
  m <- freq_of(y)
  h <- if (m == 1) 10 else 2 * m
  n <- length(y)
  train <- ts(as.numeric(y)[1:(n - h)], frequency = m)
  test <- as.numeric(y)[(n - h + 1):n]
  t0 <- proc.time()[["elapsed"]]
  fr <- forecast(ets(train), h = h, level = c(80, 95))
  r_secs <- proc.time()[["elapsed"]] - t0
  write.csv(data.frame(t = seq_along(train), value = as.numeric(train)), tmp, row.names = FALSE, quote = FALSE)
  t0 <- proc.time()[["elapsed"]]
  status <- system2(cxm, c("forecast", tmp, "--frequency", m, "--horizon", h, "--format", "csv"), stdout = out)
  c_secs <- proc.time()[["elapsed"]] - t0
  if (status != 0) stop(paste("cxm failed on", name))
  fc <- read.csv(out)
  rows[[name]] <- data.frame(
    series = name, m = m, n = n - h, h = h, r_model = fr$method,
    r_mase = mase(train, test, as.numeric(fr$mean), m),
    cxm_mase = mase(train, test, fc$mean, m),
    r_cover95 = mean(test >= fr$lower[, 2] & test <= fr$upper[, 2]),
    cxm_cover95 = mean(test >= fc$lo95 & test <= fc$hi95),
    r_seconds = r_secs, cxm_seconds = c_secs)
}
res <- do.call(rbind, rows)
options(width = 200)
print(res, digits = 3, row.names = FALSE)
cat(sprintf("\nmean MASE: R ets %.3f, cxm %.3f\n", mean(res$r_mase), mean(res$cxm_mase)))
cat(sprintf("95%% coverage of the held-out points: R ets %.3f, cxm %.3f (%d points)\n",
            sum(res$r_cover95 * res$h) / sum(res$h), sum(res$cxm_cover95 * res$h) / sum(res$h), sum(res$h)))
