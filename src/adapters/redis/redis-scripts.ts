/**
 * The Lua scripts that change a job's state: each runs atomically in Redis, so two processes can
 * never both create, start or finish the same job. Keys are built from the prefix (ARGV[1]), so
 * a single Redis (not Redis Cluster) is assumed.
 */

/** KEYS: delivery key, id counter. ARGV: prefix, repo, number, action, task JSON, now, notBefore, delivery id. Returns {id, duplicate}. */
export const ENQUEUE = `
local existing = redis.call('GET', KEYS[1])
if existing then return {existing, 1} end
local p = ARGV[1]
local id = redis.call('INCR', KEYS[2])
redis.call('HSET', p .. ':job:' .. id, 'id', id, 'delivery', ARGV[8], 'repo', ARGV[2], 'number', ARGV[3],
  'action', ARGV[4], 'task', ARGV[5], 'state', 'queued', 'attempts', 0, 'created', ARGV[6], 'not_before', ARGV[7])
redis.call('SET', KEYS[1], id)
redis.call('ZADD', p .. ':thread-jobs:' .. ARGV[2] .. '#' .. ARGV[3], id, id)
redis.call('ZADD', p .. ':jobs', id, id)
redis.call('ZADD', p .. ':repo-jobs:' .. ARGV[2], id, id)
redis.call('SADD', p .. ':repos', ARGV[2])
redis.call('ZADD', p .. ':queued', id, id)
redis.call('PUBLISH', p .. ':changed', id)
return {tostring(id), 0}
`;

/**
 * A worker asks to start job ARGV[2] as holder ARGV[3]: it must be queued (or running, when its
 * worker died), no older job of its issue may be waiting or running, and the lock must be
 * free (or already this holder's). ARGV: prefix, id, holder, lock ms, now, max starts.
 * Returns 'claimed', 'busy', 'finished', 'gone' or 'died' (started too often: failed now).
 */
export const CLAIM = `
local p, id, holder = ARGV[1], ARGV[2], ARGV[3]
local jk = p .. ':job:' .. id
local state = redis.call('HGET', jk, 'state')
if not state then return 'gone' end
if state ~= 'queued' and state ~= 'running' then return 'finished' end
local thread = redis.call('HGET', jk, 'repo') .. '#' .. redis.call('HGET', jk, 'number')
local lk = p .. ':lock:' .. thread
local cur = redis.call('GET', lk)
if cur and cur ~= (id .. ':' .. holder) then return 'busy' end
local older = redis.call('ZRANGEBYSCORE', p .. ':thread-jobs:' .. thread, '-inf', '(' .. id)
for _, o in ipairs(older) do
  local s = redis.call('HGET', p .. ':job:' .. o, 'state')
  if s == 'queued' or s == 'running' then return 'busy' end
end
local cancel = redis.call('HGET', jk, 'cancel')
if cancel then
  redis.call('HSET', jk, 'state', 'cancelled', 'reason', cancel, 'finished', ARGV[5])
  redis.call('ZREM', p .. ':queued', id)
  return 'finished'
end
local attempts = tonumber(redis.call('HGET', jk, 'attempts'))
if state == 'running' and attempts >= tonumber(ARGV[6]) then
  redis.call('HSET', jk, 'state', 'failed', 'reason', 'the worker died twice while this job was running', 'finished', ARGV[5])
  return 'died'
end
redis.call('SET', lk, id .. ':' .. holder, 'PX', ARGV[4])
redis.call('HSET', jk, 'state', 'running', 'attempts', attempts + 1, 'started', ARGV[5], 'holder', holder)
redis.call('ZREM', p .. ':queued', id)
redis.call('PUBLISH', p .. ':changed', id)
return 'claimed'
`;

/** Keeps a held issue lock alive. ARGV: prefix, id, holder, lock ms. Returns 1, or 0 when it is no longer ours. */
export const RENEW = `
local jk = ARGV[1] .. ':job:' .. ARGV[2]
local lk = ARGV[1] .. ':lock:' .. redis.call('HGET', jk, 'repo') .. '#' .. redis.call('HGET', jk, 'number')
if redis.call('GET', lk) ~= (ARGV[2] .. ':' .. ARGV[3]) then return 0 end
redis.call('PEXPIRE', lk, ARGV[4])
return 1
`;

/**
 * Ends a job this holder runs: ARGV: prefix, id, holder, state, reason, outcome, now. A holder
 * that lost the job (another worker took it over) changes nothing. Returns 1 or 0.
 */
export const FINISH = `
local p, id, holder = ARGV[1], ARGV[2], ARGV[3]
local jk = p .. ':job:' .. id
if redis.call('HGET', jk, 'holder') ~= holder or redis.call('HGET', jk, 'state') ~= 'running' then return 0 end
if ARGV[4] == 'queued' then
  local attempts = tonumber(redis.call('HGET', jk, 'attempts'))
  redis.call('HSET', jk, 'state', 'queued', 'attempts', math.max(attempts - 1, 0), 'reason', ARGV[5], 'holder', '')
  redis.call('ZADD', p .. ':queued', id, id)
else
  redis.call('HSET', jk, 'state', ARGV[4], 'reason', ARGV[5], 'outcome', ARGV[6], 'finished', ARGV[7])
end
local lk = p .. ':lock:' .. redis.call('HGET', jk, 'repo') .. '#' .. redis.call('HGET', jk, 'number')
if redis.call('GET', lk) == (id .. ':' .. holder) then redis.call('DEL', lk) end
redis.call('PUBLISH', p .. ':changed', id)
return 1
`;

/**
 * Cancels the queued jobs of an issue (all but ARGV[4]); a running one gets a cancel mark its
 * worker (or the one that takes it over) honours. ARGV: prefix, thread, reason, except id, now.
 * Returns the ids cancelled.
 */
export const CANCEL_QUEUED = `
local p = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('ZRANGE', p .. ':thread-jobs:' .. ARGV[2], 0, -1)) do
  local jk = p .. ':job:' .. id
  if id ~= ARGV[4] and redis.call('HGET', jk, 'state') == 'queued' then
    redis.call('HSET', jk, 'state', 'cancelled', 'reason', ARGV[3], 'finished', ARGV[5])
    redis.call('ZREM', p .. ':queued', id)
    redis.call('PUBLISH', p .. ':changed', id)
    table.insert(out, id)
  end
end
return out
`;

/** Marks a running job to be cancelled (persisted: a worker taking it over sees it). ARGV: prefix, id, reason. */
export const MARK_CANCEL = `
local jk = ARGV[1] .. ':job:' .. ARGV[2]
if redis.call('HGET', jk, 'state') ~= 'running' then return 0 end
redis.call('HSET', jk, 'cancel', ARGV[3])
return 1
`;

/**
 * Replaces a queued job's task if nobody changed it meanwhile (review batching). ARGV: prefix, id,
 * old task JSON, new task JSON, clear the wait (1/0). Returns 1, or 0 to read again and retry.
 */
export const REPLACE_TASK = `
local jk = ARGV[1] .. ':job:' .. ARGV[2]
if redis.call('HGET', jk, 'state') ~= 'queued' or redis.call('HGET', jk, 'task') ~= ARGV[3] then return 0 end
redis.call('HSET', jk, 'task', ARGV[4])
if ARGV[5] == '1' then redis.call('HSET', jk, 'not_before', '') end
return 1
`;

/** Lets one caller at a time work on an issue's thread. ARGV: key, token. Returns 1 when released. */
export const RELEASE_MUTEX = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Returns the open question and forgets it, in one step. */
export const TAKE_FIELD = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
`;

/**
 * Keeps one event of a job and tells every process, with its place in the log, in one step (so a
 * live view that reads the log and listens at once can tell what it already has). KEYS: the
 * job's event list. ARGV: channel, job id, event JSON.
 */
export const APPEND_EVENT = `
local n = redis.call('RPUSH', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], '{"jobId":' .. ARGV[2] .. ',"seq":' .. n .. ',"event":' .. ARGV[3] .. '}')
return n
`;
