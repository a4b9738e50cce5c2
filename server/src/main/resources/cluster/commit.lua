-- One group commit of one account, atomic and fenced (docs/design.md#cluster-mode).
-- KEYS[1]: the account's key prefix, {a:ID}:   ARGV: epoch, head before, head after, audit node ('' for none), ops.
-- Ops: H table field json | D table field | R room | X room seq user role body sent private.
-- Everything is checked before anything is written: a script that fails half-way does not roll back.
local p = KEYS[1]
if redis.call('GET', p .. 'epoch') ~= ARGV[1] then
  return 'FENCED'
end
local head = redis.call('GET', p .. 'head')
if head == ARGV[3] then
  return 'OK' -- this very commit landed already (its reply was lost): nothing to do twice
end
if (head or '') ~= ARGV[2] then
  return 'DIVERGED'
end
local n = #ARGV
local i = 5
local top = {}
while i <= n do
  local op = ARGV[i]
  if op == 'H' then
    i = i + 4
  elseif op == 'D' then
    i = i + 3
  elseif op == 'R' then
    top[ARGV[i + 1]] = 0
    i = i + 2
  elseif op == 'X' then
    local room = ARGV[i + 1]
    local seq = tonumber(ARGV[i + 2])
    local last = top[room]
    if last == nil then
      local r = redis.call('XREVRANGE', p .. 'm:' .. room, '+', '-', 'COUNT', 1)
      if #r == 0 then last = 0 else last = tonumber(string.match(r[1][1], '^(%d+)')) end
    end
    if seq <= last then
      return 'DIVERGED'
    end
    top[room] = seq
    i = i + 8
  else
    return redis.error_reply('unknown op ' .. tostring(op))
  end
end
i = 5
while i <= n do
  local op = ARGV[i]
  if op == 'H' then
    redis.call('HSET', p .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif op == 'D' then
    redis.call('HDEL', p .. ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'R' then
    redis.call('DEL', p .. 'm:' .. ARGV[i + 1])
    i = i + 2
  else
    redis.call('XADD', p .. 'm:' .. ARGV[i + 1], ARGV[i + 2] .. '-0', 'u', ARGV[i + 3], 'r', ARGV[i + 4],
      'b', ARGV[i + 5], 't', ARGV[i + 6], 'p', ARGV[i + 7])
    i = i + 8
  end
end
redis.call('SET', p .. 'head', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('RPUSH', p .. 'audit', ARGV[1] .. ' ' .. ARGV[4] .. ' ' .. ARGV[3])
end
return 'OK'
