// The page's language: picked from navigator.languages, switchable at runtime through a
// context, kept only for the page's life (nothing is stored).
import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { de } from './de';
import { en, type Messages } from './en';

export type Lang = 'en' | 'de';
export const LANGUAGES: readonly Lang[] = ['en', 'de'];
const CATALOGS: Record<Lang, Messages> = { en, de };

export function detectLanguage(): Lang {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const base = (tag ?? '').toLowerCase().split('-')[0];
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Lang;
  }
  return 'en';
}

export interface I18n {
  lang: Lang;
  t: Messages;
  setLang(lang: Lang): void;
  formatTime(ms: number): string;
}

const I18nContext = createContext<I18n>({
  lang: 'en', t: en, setLang: () => {}, formatTime: (ms) => new Date(ms).toISOString(),
});

export function I18nProvider({ children, title }:
    { children: ComponentChildren; title?: (t: Messages) => string }) {
  const [lang, setLang] = useState<Lang>(detectLanguage);
  const value = useMemo<I18n>(() => {
    const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
    return { lang, t: CATALOGS[lang], setLang, formatTime: (ms) => timeFormat.format(ms) };
  }, [lang]);
  useEffect(() => {
    document.documentElement.lang = lang;
    if (title) document.title = title(CATALOGS[lang]);
  }, [lang, title]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function catalog(lang: Lang): Messages {
  return CATALOGS[lang];
}
