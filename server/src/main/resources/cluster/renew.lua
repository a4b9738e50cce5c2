-- Renews a lease this node holds at this epoch. KEYS[1]: prefix; ARGV: node, epoch, ttl ms.
-- A lease that expired while nobody took it (the epoch is still ours) is taken again. 1: held; 0: lost.
local p = KEYS[1]
if redis.call('GET', p .. 'epoch') ~= ARGV[2] then
  return 0
end
local mine = ARGV[1] .. ':' .. ARGV[2]
local lease = redis.call('GET', p .. 'lease')
if lease and lease ~= mine then
  return 0
end
redis.call('SET', p .. 'lease', mine, 'PX', ARGV[3])
return 1
