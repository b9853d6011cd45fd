// Starts Swagger UI over the gateway's whole-API document. A file of our own rather than an inline
// script, so the docs page's Content-Security-Policy can refuse every inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    persistAuthorization: true,
    validatorUrl: null, // the validator badge would call validator.swagger.io
  });
});
