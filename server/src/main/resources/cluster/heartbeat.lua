-- A node says it is alive and learns who else is. KEYS: {sb}:nodes (zset by last beat), {sb}:addr (hash).
-- ARGV: node, its address, ttl ms. Returns node, address, node, address... of the live ones (this one included).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[3])))
for _, node in ipairs(gone) do
  redis.call('ZREM', KEYS[1], node)
  redis.call('HDEL', KEYS[2], node)
end
local out = {}
for _, node in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  table.insert(out, node)
  table.insert(out, redis.call('HGET', KEYS[2], node) or '')
end
return out
