-- Requests as service-to-service traffic sends them, so that no two are byte-identical: ids in paths,
-- query strings, a fresh W3C traceparent and request id each, 5-10 headers, a quarter POSTs with a
-- small JSON body. With WRK_SHORT=1 every request carries "Connection: close": one request per
-- connection (nginx closes, wrk connects again), the pattern of clients without a connection pool.
local short = os.getenv("WRK_SHORT") == "1"
local paths = {
  "/api/v1/orders/%d", "/api/v1/users/%d/profile", "/api/v1/items/%d?page=%d",
  "/catalog/products/%d/reviews?sort=recent&limit=%d", "/search?q=item%d&offset=%d", "/api/v2/carts/%d/lines",
}
local agents = {"Go-http-client/1.1", "okhttp/4.12.0", "python-requests/2.32.3", "Java-http-client/21.0.5"}

function setup(thread)
  thread:set("seed", math.random(1, 2147483647))
end

function init(args)
  math.randomseed(seed or os.time())
end

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

function request()
  local path = string.format(paths[math.random(#paths)], math.random(1, 999999), math.random(1, 50))
  local headers = {
    ["Host"] = "orders.shop.svc.cluster.local",
    ["User-Agent"] = agents[math.random(#agents)],
    ["Accept"] = "application/json",
    ["traceparent"] = "00-" .. hex(32) .. "-" .. hex(16) .. "-01",
    ["X-Request-Id"] = hex(8) .. "-" .. hex(4) .. "-" .. hex(4) .. "-" .. hex(4) .. "-" .. hex(12),
  }
  if math.random(2) == 1 then headers["Authorization"] = "Bearer " .. hex(40) end
  if math.random(3) == 1 then headers["Accept-Encoding"] = "gzip, deflate" end
  if math.random(4) == 1 then headers["Cookie"] = "session=" .. hex(24) end
  if short then headers["Connection"] = "close" end
  if math.random(4) == 1 then
    headers["Content-Type"] = "application/json"
    local body = string.format('{"item":%d,"quantity":%d,"note":"%s"}', math.random(1, 999999), math.random(1, 9), hex(math.random(8, 64)))
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
