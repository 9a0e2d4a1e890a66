// A system without a locale (LANG=C) gives the webview the language "C", which is no language
// tag: the Intl formatters a library builds from it as it loads throw, and the window would not
// start. Such a system is told it speaks American English, before anything else is loaded.

function valid(tag: string): boolean {
  try {
    new Intl.Locale(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== 'undefined' && !valid(navigator.language)) {
  const languages = navigator.languages.filter(valid);
  Object.defineProperty(navigator, 'language', { value: languages[0] ?? 'en-US' });
  Object.defineProperty(navigator, 'languages', { value: languages.length ? languages : ['en-US'] });
}

export {};
