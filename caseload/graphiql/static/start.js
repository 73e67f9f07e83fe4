// Caseload's GraphiQL: the vendored release (no CDN), with the Headers tab open and ready for
// a Bearer token. Headers are not persisted, so a token never lingers in localStorage.
(function () {
  "use strict";
  var endpoint = window.location.href.split("?")[0];
  var welcome = [
    "# Caseload's GraphQL API. Sign in (signIn, or the mutation `caseload demo` prints),",
    "# put the accessToken after \"Bearer \" in the Headers tab below, then run (Ctrl-Enter):",
    "",
    "{ viewer { role } }",
    "",
  ].join("\n");
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: welcome,
      defaultHeaders: JSON.stringify({ Authorization: "Bearer " }, null, 2),
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
