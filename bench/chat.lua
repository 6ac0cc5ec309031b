-- wrk script: POST one small chat completion request (OpenAI shape) per call.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-model","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Reply with one word."}],"max_tokens":8,"temperature":0}'
