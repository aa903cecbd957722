// The landing page: start a meeting with an unguessable name, or join one by name or link.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { LanguageMenu } from '../common/language_menu';
import { LegalLinks } from '../common/legal_links';
import { generateMeetingName, isGuessable, type NameProblem, tidyMeetingName } from '../common/names';
import { I18nProvider, useI18n } from '../i18n';
import type { Messages } from '../i18n/en';

function problemText(t: Messages, p: NameProblem): string {
  switch (p) {
    case 'empty': return t.nameEmpty;
    case 'too-long': return t.nameTooLong;
    case 'bad-characters': return t.nameBadCharacters;
    case 'reserved': return t.nameReserved;
  }
}

function openMeeting(name: string) {
  window.location.assign(`/${encodeURIComponent(name)}`);
}

function JoinForm() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const tidied = tidyMeetingName(text);
  // Problems show once the person tried to join (or typed a character the server refuses).
  const problem = !tidied.ok && (submitted || tidied.problem !== 'empty') ? tidied.problem : null;
  const guessable = tidied.ok && isGuessable(tidied.name);
  const describedBy = [problem ? 'meeting-name-error' : '', guessable ? 'meeting-name-warning' : '',
                       tidied.ok && tidied.name !== text.trim() ? 'meeting-name-tidied' : '']
    .filter(Boolean).join(' ') || undefined;

  const onSubmit = (e: Event) => {
    e.preventDefault();
    setSubmitted(true);
    if (tidied.ok) openMeeting(tidied.name);
  };

  return (
    <form class="join-form" onSubmit={onSubmit} noValidate>
      <h2 id="join-heading">{t.joinHeading}</h2>
      <label for="meeting-name">{t.meetingNameLabel}</label>
      <div class="row">
        <input id="meeting-name" type="text" value={text} autocomplete="off" spellcheck={false}
               autocapitalize="off" placeholder={t.meetingNamePlaceholder}
               aria-invalid={problem ? 'true' : undefined} aria-describedby={describedBy}
               onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        <button id="join-meeting-name" type="submit">{t.joinButton}</button>
      </div>
      <div aria-live="polite">
        {problem && <p id="meeting-name-error" class="field-error">{problemText(t, problem)}</p>}
        {tidied.ok && tidied.name !== text.trim() && (
          <p id="meeting-name-tidied" class="hint">{t.willJoin(tidied.name)}</p>
        )}
        {guessable && <p id="meeting-name-warning" class="warning">{t.guessableWarning}</p>}
      </div>
    </form>
  );
}

function Landing() {
  const { t } = useI18n();
  return (
    <div class="page landing">
      <header class="topbar">
        <LanguageMenu />
      </header>
      <main>
        <h1>{t.productName}</h1>
        <p class="lead">{t.tagline}</p>
        <section class="start" aria-describedby="start-hint">
          <button id="start-meeting" type="button" class="primary big"
                  onClick={() => openMeeting(generateMeetingName())}>
            {t.startMeeting}
          </button>
          <p id="start-hint" class="hint">{t.startMeetingHint}</p>
        </section>
        <JoinForm />
        <p><a id="echo-link" href="/echo">{t.echoTestLink}</a></p>
      </main>
      <footer><LegalLinks /></footer>
    </div>
  );
}

const root = document.getElementById('app');
if (root) {
  render(<I18nProvider title={(t) => t.productName}><Landing /></I18nProvider>, root);
}
