// A trace page's outline read, started as the HTML is parsed: before the app's bundle has been
// fetched, compiled and rendered (~0.3–0.5 s on a busy machine), so the server works while the
// browser does. The app adopts the response (src/api/early-get.ts) when it asks for the same
// URL with the same key; otherwise it is dropped. A classic script, not part of the bundle, so
// it runs before the bundle; the CSP allows it ('self') where an inline script would be refused.
// The URL must be written exactly as src/pages/trace-outline.ts outlineUrl() writes it.
(function () {
  var match = /^\/traces\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return;
  var id, key;
  try {
    id = decodeURIComponent(match[1]);
    key = sessionStorage.getItem('sightline.key');
  } catch (e) {
    return;
  }
  if (!key) return;
  var at = new URLSearchParams(location.search).get('at');
  var url = '/api/traces/' + encodeURIComponent(id) + '/outline' + (at && /^\d+$/.test(at) ? '?at=' + at : '');
  var response = fetch(url, { headers: { accept: 'application/json', authorization: 'Bearer ' + key } });
  // Never adopted (the app signed out first): not an unhandled rejection.
  response.catch(function () {});
  window.sightlineEarlyGet = { url: url, key: key, response: response };
})();
