// Renders this API's /openapi.json with Swagger UI. The API's address comes from the console's
// config.json, and the bearer token the console signed in with (same origin, same tab) is sent, so
// the document loads under `npm start --auth` and in AWS too.
(async () => {
  const config = await fetch('/console/config.json').then((r) => (r.ok ? r.json() : { apiUrl: '' }));
  const token = sessionStorage.getItem('marquee.token');
  window.SwaggerUIBundle({
    url: `${config.apiUrl || ''}/openapi.json`,
    dom_id: '#swagger',
    deepLinking: true,
    requestInterceptor: (request) => {
      if (token) request.headers.Authorization = `Bearer ${token}`;
      return request;
    },
  });
})();
