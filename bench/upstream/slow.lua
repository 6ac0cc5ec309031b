-- A model that thinks for 200 ms, then answers a whole chat.completion (nginx + lua, no process per request).
ngx.req.discard_body()
ngx.sleep(0.2)
ngx.header.content_type = "application/json"
ngx.print(ngx.var.bench_completion)
