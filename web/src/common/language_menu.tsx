// The language switcher: a labelled <select>, each language named in itself.
import { catalog, LANGUAGES, type Lang, useI18n } from '../i18n';

export function LanguageMenu({ id = 'language-select' }: { id?: string }) {
  const { lang, t, setLang } = useI18n();
  return (
    <div class="language-menu">
      <label for={id}>{t.languageLabel}</label>
      <select id={id} value={lang}
              onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>{catalog(l).languageName}</option>
        ))}
      </select>
    </div>
  );
}
