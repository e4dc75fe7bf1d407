/* The API documentation page: Swagger UI (drf-spectacular-sidecar's local copy) over every
   service's OpenAPI document, listed by the page in #api-services. */
(function () {
  "use strict";
  var services = JSON.parse(document.getElementById("api-services").textContent);
  var primary = JSON.parse(document.getElementById("api-primary").textContent);
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.ui = SwaggerUIBundle({
    urls: services.map(function (s) { return { url: s.url, name: s.name }; }),
    "urls.primaryName": primary,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    requestInterceptor: function (request) {
      // A signed-in console user may try the API with their session; unsafe methods need CSRF.
      request.headers["X-CSRFToken"] = csrfToken();
      return request;
    }
  });
})();
