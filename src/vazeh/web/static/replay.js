/* vazeh replay: points the URLs an archived page's scripts set at the archive.
 *
 * Loaded first in every page replayed on the replay origin. The server rewrote the
 * page's markup; this does the same for what scripts add later (an image whose src a
 * lazy loader sets, a fetch, a script tag), so it loads from the archive at the
 * page's timestamp instead of being refused by the policy. Root-relative requests
 * that escape it still reach the archive through the server's Referer fallback.
 */
(function () {
  "use strict";
  var m = /^\/web\/(\d{14})([a-z]{2}_)?\/(.*)$/.exec(location.pathname);
  if (!m) return;
  var ts = m[1];
  var prefix = location.origin + "/web/";

  function archived(base) {
    // The archived URL behind a replay address (the page's, or its rewritten <base>).
    var r = /^\/web\/\d{14}(?:[a-z]{2}_)?\/(.*)$/.exec(new URL(base, location.href).pathname);
    if (!r) return null;
    var rest = r[1].replace(/^(https?):\/+/i, "$1://");
    return rest + (base === location.href ? location.search : "");
  }

  function pageBase() {
    return archived(document.baseURI) || archived(location.href);
  }

  function rw(value, mod) {
    if (value === null || value === undefined) return value;
    var s = String(value).trim();
    if (!s || /^(data|blob|javascript|about|mailto|tel):/i.test(s) || s.charAt(0) === "#") return value;
    var abs;
    try {
      if (s.indexOf("/web/") === 0 || s.indexOf(prefix) === 0) return value;
      abs = new URL(s, pageBase() || location.href);
    } catch (e) {
      return value;
    }
    if (abs.origin === location.origin) {
      if (abs.pathname.indexOf("/web/") === 0 || abs.pathname.indexOf("/_vazeh/") === 0) return value;
    }
    if (abs.protocol !== "http:" && abs.protocol !== "https:") return value;
    return "/web/" + ts + (mod || "") + "/" + abs.href;
  }

  function srcset(value) {
    // Candidates split as the server splits them: a URL runs to whitespace, commas inside it stay.
    var out = [], s = String(value), i = 0, n = s.length;
    while (i < n) {
      while (i < n && (/\s/.test(s[i]) || s[i] === ",")) i++;
      if (i >= n) break;
      var j = i;
      while (j < n && !/\s/.test(s[j])) j++;
      var url = s.slice(i, j), desc = "";
      if (/,$/.test(url)) {
        url = url.replace(/,+$/, "");
        i = j;
      } else {
        var k = j, depth = 0;
        while (k < n && !(s[k] === "," && depth === 0)) {
          if (s[k] === "(") depth++;
          else if (s[k] === ")" && depth) depth--;
          k++;
        }
        desc = s.slice(j, k).trim();
        i = k + 1;
      }
      out.push(rw(url, "im_") + (desc ? " " + desc : ""));
    }
    return out.join(", ");
  }

  // [prototype, attribute, modifier]
  var props = [
    [window.HTMLImageElement, "src", "im_"],
    [window.HTMLImageElement, "srcset", "srcset"],
    [window.HTMLSourceElement, "src", "im_"],
    [window.HTMLSourceElement, "srcset", "srcset"],
    [window.HTMLScriptElement, "src", "js_"],
    [window.HTMLLinkElement, "href", "cs_"],
    [window.HTMLIFrameElement, "src", "if_"],
    [window.HTMLFrameElement, "src", "if_"],
    [window.HTMLMediaElement, "src", "oe_"],
    [window.HTMLVideoElement, "poster", "im_"],
    [window.HTMLObjectElement, "data", "oe_"],
    [window.HTMLEmbedElement, "src", "oe_"],
    [window.HTMLInputElement, "src", "im_"],
    [window.HTMLTrackElement, "src", "oe_"],
    [window.HTMLAnchorElement, "href", ""],
    [window.HTMLAreaElement, "href", ""],
    [window.HTMLFormElement, "action", ""],
  ];
  var byAttr = {};

  function convert(mod, value) {
    return mod === "srcset" ? srcset(value) : rw(value, mod);
  }

  props.forEach(function (p) {
    if (!p[0]) return;
    var proto = p[0].prototype, name = p[1], mod = p[2];
    var d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.set) return;
    Object.defineProperty(proto, name, {
      configurable: true, enumerable: d.enumerable,
      get: d.get,
      set: function (v) { d.set.call(this, convert(mod, v)); },
    });
    (byAttr[name] = byAttr[name] || []).push([proto, mod]);
  });

  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    var lname = String(name).toLowerCase();
    var list = byAttr[lname];
    if (list) {
      for (var i = 0; i < list.length; i++) {
        if (list[i][0].isPrototypeOf(this)) {
          value = convert(list[i][1], value);
          break;
        }
      }
    } else if ((lname === "href" || lname === "xlink:href") && this instanceof SVGElement) {
      value = rw(value, "im_");
    }
    return setAttribute.call(this, name, value);
  };

  if (window.fetch) {
    var fetch = window.fetch;
    window.fetch = function (input, init) {
      if (typeof input === "string" || input instanceof URL) input = rw(String(input), "oe_");
      else if (input && input.url) input = new Request(rw(input.url, "oe_"), input);
      return fetch.call(this, input, init);
    };
  }
  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    var args = Array.prototype.slice.call(arguments);
    args[1] = rw(url, "oe_");
    return open.apply(this, args);
  };
  if (navigator.sendBeacon) {
    // Beacons report to the live site's analytics; in the archive there is nothing to tell.
    navigator.sendBeacon = function () { return true; };
  }
})();
