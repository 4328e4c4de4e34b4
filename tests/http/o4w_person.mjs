// A person at a browser for the oauth4webapi drivers (rp_oauth4webapi.mjs,
// dpop_oauth4webapi.mjs): plain fetch with a cookie jar, posting keygate's
// log-in and Grant Access forms as a browser would.
//
//   const person = new Person(email, password, redirectUri);
//   const callback = await person.browse(authorizationUrl);

const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`, 'i'));
  return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    : null;
};

export class Person {
  constructor(email, password, redirectUri) {
    this.email = email;
    this.password = password;
    this.redirectUri = redirectUri;
    this.jar = new Map();         // cookie name -> value (keygate's host)
  }

  keepCookies(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  // The fields a person sends on keygate's log-in or Grant Access form,
  // or null when the page has neither.
  formToPost(page) {
    for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
      const open = `<form ${m[1]}`;
      if ((attr(open, 'method') || '').toLowerCase() !== 'post') continue;
      const body = m[2];
      const inputs = [...body.matchAll(/<input\b[^>]*>/gi)].map((x) => x[0]);
      const buttons = [...body.matchAll(/<button\b[^>]*>/gi)]
        .map((x) => x[0]);
      const data = new URLSearchParams();
      let hasPassword = false;
      let hasEmail = false;
      for (const tag of inputs) {
        const type = (attr(tag, 'type') || 'text').toLowerCase();
        if (type === 'hidden') {
          data.append(attr(tag, 'name'), attr(tag, 'value') || '');
        }
        if (attr(tag, 'name') === 'password') hasPassword = true;
        if (attr(tag, 'name') === 'email') hasEmail = true;
      }
      const want = hasPassword ? ['login', null] : ['allow'];
      const button = [...buttons, ...inputs.filter((t) =>
        (attr(t, 'type') || '').toLowerCase() === 'submit')]
        .find((t) => want.includes(attr(t, 'value')) ||
          (want.includes(null) && !attr(t, 'name')));
      if (!button) continue;
      if (hasPassword) {
        if (hasEmail) data.append('email', this.email);
        data.append('password', this.password);
      }
      if (attr(button, 'name')) {
        data.append(attr(button, 'name'), attr(button, 'value') || '');
      }
      return { action: attr(open, 'action'), data };
    }
    return null;
  }

  // Follows keygate's pages until it redirects to the redirect URI;
  // returns that URL.
  async browse(start) {
    let url = start;
    let init = { method: 'GET' };
    for (let step = 0; step < 25; step += 1) {
      const res = await fetch(url, { ...init, redirect: 'manual',
        headers: { ...(init.headers || {}), cookie: this.cookieHeader() } });
      this.keepCookies(res);
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) {
        const next = new URL(loc, url).href;
        if (next.startsWith(this.redirectUri)) return next;
        url = next;
        init = { method: 'GET' };
        continue;
      }
      const form = res.status === 200 ? this.formToPost(await res.text())
        : null;
      if (!form) throw new Error(`stuck at ${url}: ${res.status}`);
      url = new URL(form.action, url).href;
      init = { method: 'POST', body: form.data.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    }
    throw new Error('too many steps');
  }
}
