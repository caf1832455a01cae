-- wrk script for bench/profile_latency.py: every request takes the next path of PATHS_FILE
-- (one per line, shuffled by the Python side), with the bearer token of a province analyst.
local paths = {}
local token = os.getenv("LT_TOKEN")
for line in io.lines(os.getenv("LT_PATHS")) do paths[#paths + 1] = line end
local counter = 0
-- Each connection is one official: after an answer it pauses (exponential, mean LT_THINK_MS)
-- before the next request; 0 makes it a closed loop that saturates the server.
local think = tonumber(os.getenv("LT_THINK_MS") or "0")

function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

function init(args)
  n = offset or 0
  math.randomseed(n + 1)
end

function delay()
  if think <= 0 then return 0 end
  return math.floor(-think * math.log(1 - math.random()))
end

function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"errors_status\": %d, \"errors_socket\": %d, " ..
    "\"p50_ms\": %.2f, \"p90_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"rps\": %.1f}\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
