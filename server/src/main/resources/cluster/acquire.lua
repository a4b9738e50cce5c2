-- Takes an account's lease if nobody holds it. KEYS[1]: prefix; ARGV: node, ttl ms.
-- Returns {epoch, head} (head '' when nothing was ever committed), or nil when the lease is held.
local p = KEYS[1]
if redis.call('EXISTS', p .. 'lease') == 1 then
  return nil
end
local e = redis.call('INCR', p .. 'epoch')
redis.call('SET', p .. 'lease', ARGV[1] .. ':' .. e, 'PX', ARGV[2])
return {e, redis.call('GET', p .. 'head') or ''}
