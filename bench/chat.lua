-- wrk script: POST one small chat completion request (OpenAI shape) per call.
-- Arguments (after `--`): the model (default bench-model) and "stream" for a streamed request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
    local model = args[1] or "bench-model"
    local stream = args[2] == "stream" and ',"stream":true' or ""
    wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are terse."},'
        .. '{"role":"user","content":"Reply with one word."}],"max_tokens":8,"temperature":0' .. stream .. '}'
end
