-- wrk script: POST one small chat completion request (OpenAI shape) per call, the same every time.
-- Arguments (after `--`): the model (default bench-model), "stream" for a streamed request (anything else for a
-- whole answer), and a client key to send as a bearer token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
    local model = args[1] or "bench-model"
    if args[3] then wrk.headers["Authorization"] = "Bearer " .. args[3] end
    local stream = args[2] == "stream" and ',"stream":true' or ""
    wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are terse."},'
        .. '{"role":"user","content":"Reply with one word."}],"max_tokens":8,"temperature":0' .. stream .. '}'
end
