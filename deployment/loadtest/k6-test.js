// Load test with k6 (https://k6.io): the deployment guide's stages and thresholds, against any gateway.
//   k6 run -e BASE_URL=http://localhost:8080 -e MODEL=mock-gpt -e API_KEY=... deployment/loadtest/k6-test.js
// STREAM=true sends streamed requests (the response is checked for the closing [DONE]).
import http from 'k6/http';
import { check, sleep } from 'k6';

const baseURL = __ENV.BASE_URL || 'http://localhost:8080';
const model = __ENV.MODEL || 'mock-gpt';
const stream = __ENV.STREAM === 'true';

export const options = {
  stages: [
    { duration: '2m', target: 100 },
    { duration: '5m', target: 100 },
    { duration: '2m', target: 200 },
    { duration: '5m', target: 200 },
    { duration: '2m', target: 0 },
  ],
  thresholds: {
    http_req_duration: ['p(95)<2000'],
    http_req_failed: ['rate<0.01'],
  },
};

export default function () {
  const payload = JSON.stringify({
    model,
    stream,
    messages: [{ role: 'user', content: 'Hello, how are you?' }],
    temperature: 0.7,
    max_tokens: 100,
  });
  const headers = { 'Content-Type': 'application/json' };
  if (__ENV.API_KEY) headers.Authorization = `Bearer ${__ENV.API_KEY}`;

  const response = http.post(`${baseURL}/v1/chat/completions`, payload, { headers });
  check(response, {
    'status is 200': (r) => r.status === 200,
    'response has content': (r) => (stream ? r.body.includes('data: [DONE]') : r.json().choices.length > 0),
  });
  sleep(1);
}
