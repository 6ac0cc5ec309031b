-- A model that streams: first chunk after 200 ms, then 19 more 50 ms apart, a usage chunk and [DONE].
ngx.req.discard_body()
ngx.header.content_type = "text/event-stream"
ngx.header.cache_control = "no-cache"
local prefix = 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-stream","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":'
ngx.sleep(0.2)
for i = 1, 20 do
    if i > 1 then ngx.sleep(0.05) end
    if i < 20 then
        ngx.print(prefix, 'null}]}\n\n')
    else
        ngx.print(prefix, '"stop"}]}\n\n')
        ngx.print('data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-stream","choices":[],"usage":{"prompt_tokens":21,"completion_tokens":20,"total_tokens":41}}\n\ndata: [DONE]\n\n')
    end
    ngx.flush(true)
end
