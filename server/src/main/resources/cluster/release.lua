-- Gives a lease up (a node stopping): deleted only if it is still this node's at this epoch.
-- KEYS[1]: prefix; ARGV: node, epoch.
local p = KEYS[1]
if redis.call('GET', p .. 'lease') == ARGV[1] .. ':' .. ARGV[2] then
  return redis.call('DEL', p .. 'lease')
end
return 0
