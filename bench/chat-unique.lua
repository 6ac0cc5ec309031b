-- wrk script: POST a small chat completion request (OpenAI shape) whose prompt no other request of the run sends,
-- so that every request is a cache miss. Arguments as bench/chat.lua's (the second is ignored: whole answers).
-- A script of its own: wrk builds every request in Lua once a script defines request(), which chat.lua must not.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local head, tail, thread
local sent = 0

function init(args)
    local model = args[1] or "bench-model"
    if args[3] then wrk.headers["Authorization"] = "Bearer " .. args[3] end
    head = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are terse."},'
        .. '{"role":"user","content":"Reply with one word. '
    tail = '"}],"max_tokens":8,"temperature":0}'
    -- Each wrk thread runs this script in its own state: a table's address tells the threads apart.
    thread = tostring({}):gsub("[^%w]", "")
end

function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, head .. thread .. "-" .. sent .. tail)
end
