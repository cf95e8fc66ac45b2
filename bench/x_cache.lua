-- wrk script for bench/run.ts: counts what the app's X-Cache header said
-- (sent only in development) over a whole run, so the bench sees the page
-- cache's hit rate without a counter endpoint in the app.
--
-- Each wrk thread runs its own Lua state, so counts are per-thread globals
-- that done() sums through the thread handles setup() kept. The summary is
-- one line bench/wrk.ts parses:
--   x-cache hit=<n> miss=<n> other=<n> none=<n>
-- "none" counts responses without the header (no page cache, or production).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  hits, misses, other, none = 0, 0, 0, 0
end

function response(status, headers, body)
  -- Header names arrive as the server wrote them; Deno writes lower case.
  local value = headers["x-cache"] or headers["X-Cache"]
  if value == nil then
    none = none + 1
    return
  end
  value = string.lower(value)
  if value == "hit" then
    hits = hits + 1
  elseif value == "miss" then
    misses = misses + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local hit, miss, oth, non = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    hit = hit + thread:get("hits")
    miss = miss + thread:get("misses")
    oth = oth + thread:get("other")
    non = non + thread:get("none")
  end
  io.write(string.format("x-cache hit=%d miss=%d other=%d none=%d\n",
    hit, miss, oth, non))
end
