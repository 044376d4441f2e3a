-- wrk prints the 50th, 75th, 90th and 99th percentiles; this adds the 95th (microseconds).
done = function(summary, latency, requests)
  io.write(string.format("Percentile95: %d\n", latency:percentile(95)))
end
