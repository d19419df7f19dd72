# The R side of benchmarks/forecast_benchmark.cpp: forecast::ets with its
# default settings (automatic selection) plus forecast(h = 24) on the first
# 120 points of AirPassengers, timed 7 times inside R; prints the median.
suppressMessages(library(forecast))
y <- ts(as.numeric(AirPassengers)[1:120], frequency = 12)
invisible(forecast(ets(y), h = 24))  # warm-up
t <- replicate(7, system.time(forecast(ets(y), h = 24))[["elapsed"]])
cat(sprintf("median_seconds: %.6f\n", median(t)))
