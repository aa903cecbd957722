// Deutsche Texte. Der Typ Messages verlangt genau die Schlüssel des englischen Katalogs.
import type { Messages } from './en';

export const de: Messages = {
  languageName: 'Deutsch',
  languageLabel: 'Sprache',
  productName: 'Treff',
  tagline: 'Private Videokonferenzen vom eigenen Server.',

  startMeeting: 'Neue Besprechung starten',
  startMeetingHint: 'Erstellt eine Besprechung mit einem Namen, den niemand erraten kann, und ' +
    'öffnet sie.',
  joinHeading: 'An einer Besprechung teilnehmen',
  meetingNameLabel: 'Name oder Link der Besprechung',
  meetingNamePlaceholder: 'z. B. brave-otter-k3x9m-p2q7r-t4w8z',
  joinButton: 'Beitreten',
  nameEmpty: 'Bitte geben Sie den Namen der Besprechung ein.',
  nameTooLong: 'Ein Besprechungsname darf höchstens 64 Zeichen lang sein.',
  nameBadCharacters: 'Ein Besprechungsname darf nur die Buchstaben A–Z, Ziffern sowie „-“, „_“ ' +
    'und „.“ enthalten.',
  nameReserved: 'Diesen Namen verwendet der Server selbst. Bitte wählen Sie einen anderen.',
  guessableWarning: 'Andere könnten diesen Namen erraten und ungebeten teilnehmen. Sicherer ist ' +
    'ein längerer Name oder „Neue Besprechung starten“.',
  willJoin: (name: string) => `Sie nehmen an „${name}“ teil.`,
  echoTestLink: 'Kamera und Mikrofon testen (Echotest)',
  privacyLink: 'Datenschutzerklärung',
  imprintLink: 'Impressum',
  legalNav: 'Rechtliche Hinweise',

  badMeetingTitle: 'Das ist keine gültige Besprechungsadresse',
  badMeetingText: 'Besprechungsnamen haben 1 bis 64 Zeichen: Buchstaben A–Z, Ziffern sowie „-“, ' +
    '„_“ und „.“.',
  backHome: 'Zurück zur Startseite',

  prejoinTitle: 'Bereit zum Beitreten?',
  meetingLabel: 'Besprechung',
  displayNameLabel: 'Ihr Name',
  displayNameHint: 'Wird den anderen Teilnehmenden angezeigt. Nicht gespeichert.',
  displayNameMissing: 'Bitte geben Sie Ihren Namen ein.',
  displayNameInvalid: 'Ihr Name darf höchstens 64 Zeichen und keine Steuerzeichen enthalten.',
  previewLabel: 'Vorschau Ihrer Kamera',
  cameraOffPreview: 'Kamera ist aus',
  startingMedia: 'Kamera und Mikrofon werden gestartet …',
  cameraLabel: 'Kamera',
  microphoneLabel: 'Mikrofon',
  speakerLabel: 'Lautsprecher',
  defaultDevice: 'Standard',
  noDevice: 'Keines gefunden',
  unnamedDevice: (kind: string, n: number) => `${kind} ${n}`,
  joinMeeting: 'Besprechung beitreten',
  joining: 'Beitritt läuft …',
  devicesHeading: 'Geräte',

  mediaBlocked: 'Der Zugriff auf Kamera und Mikrofon ist blockiert. Klicken Sie zum Erlauben ' +
    'auf das Kamera- oder Schloss-Symbol neben der Adressleiste, wählen Sie „Zulassen“ und laden ' +
    'Sie die Seite neu. Sie können auch ohne Kamera und Mikrofon beitreten.',
  mediaNotFound: 'Es wurde weder Kamera noch Mikrofon gefunden. Sie können ohne beitreten oder ' +
    'ein Gerät anschließen und die Seite neu laden.',
  cameraNotFound: 'Es wurde keine Kamera gefunden: Sie treten ohne Video bei.',
  microphoneNotFound: 'Es wurde kein Mikrofon gefunden: Die anderen werden Sie nicht hören.',
  mediaInUse: 'Kamera oder Mikrofon wird von einer anderen Anwendung verwendet. Schließen Sie ' +
    'diese und versuchen Sie es erneut.',
  mediaInsecure: 'Diese Seite kann die Kamera nicht verwenden: Sie muss über https geöffnet ' +
    'werden.',
  mediaOther: (detail: string) =>
    `Kamera oder Mikrofon konnte nicht gestartet werden (${detail}).`,
  screenShareFailed: 'Der Bildschirm konnte nicht freigegeben werden.',

  callRegion: 'Besprechung',
  youSuffix: '(Sie)',
  you: 'Sie',
  participantsCount: (n: number) => (n === 1 ? '1 Person' : `${n} Personen`),
  videosLabel: 'Videos der Teilnehmenden',
  stageLabel: 'Geteilter Bildschirm',
  screenOf: (name: string) => `Bildschirm von ${name}`,
  yourScreen: 'Ihr Bildschirm',
  micMuted: 'Mikrofon stumm',
  cameraOff: 'Kamera aus',
  reconnectingBadge: 'Verbindet neu …',
  qualityGood: 'Verbindung: gut',
  qualityMedium: 'Verbindung: mittel',
  qualityPoor: 'Verbindung: schlecht',
  qualityUnknown: 'Verbindung: noch nicht gemessen',
  lossLabel: 'Paketverlust',
  jitterLabel: 'Jitter',
  rttLabel: 'Umlaufzeit',
  waitingForOthers: 'Sie sind allein hier. Teilen Sie den Link, um andere einzuladen.',

  controlsLabel: 'Steuerung der Besprechung',
  muteMic: 'Mikrofon stummschalten',
  muteMicShort: 'Mikrofon',
  cameraToggle: 'Kamera ausschalten',
  cameraToggleShort: 'Kamera',
  shareScreen: 'Bildschirm teilen',
  shareScreenShort: 'Teilen',
  chat: 'Chat',
  unread: (n: number) => (n === 1 ? '1 ungelesene Nachricht' : `${n} ungelesene Nachrichten`),
  participants: 'Teilnehmende',
  settings: 'Einstellungen',
  leave: 'Besprechung verlassen',
  leaveShort: 'Verlassen',
  closePanel: 'Bereich schließen',

  chatEmpty: 'Noch keine Nachrichten.',
  messageLabel: 'Nachricht',
  messagePlaceholder: 'Nachricht schreiben …',
  send: 'Senden',
  newMessageFrom: (name: string, text: string) => `${name}: ${text}`,
  messageTooLong: 'Eine Nachricht darf höchstens 2000 Zeichen lang sein.',

  copyLink: 'Link zur Besprechung kopieren',
  linkCopied: 'Link kopiert.',
  copyFailed: 'Kopieren fehlgeschlagen; der Link steht in der Adressleiste.',
  joinedAnnouncement: (name: string) => `${name} ist beigetreten.`,
  leftAnnouncement: (name: string) => `${name} hat die Besprechung verlassen.`,

  settingsHeading: 'Geräteeinstellungen',
  speakerUnsupported: 'Dieser Browser gibt Ton nur auf dem Standardausgang wieder.',

  connecting: 'Verbindung zum Server wird aufgebaut …',
  serverUnreachable: 'Server nicht erreichbar, neuer Verbindungsversuch …',
  mediaInterrupted: 'Die Medienverbindung ist unterbrochen; sie wird wiederhergestellt …',
  meetingFull: 'Diese Besprechung ist voll. Versuchen Sie es später erneut oder wenden Sie sich ' +
    'an die einladende Person.',
  serverFull: 'Der Server ist mit zu vielen Besprechungen ausgelastet. Bitte versuchen Sie es in ' +
    'ein paar Minuten erneut.',
  badMeetingError: 'Der Server akzeptiert diesen Besprechungsnamen nicht.',
  badNameError: 'Der Server akzeptiert diesen Namen nicht. Bitte wählen Sie einen anderen.',
  serverError: (message: string, code: string) => `Der Server meldet einen Fehler: ${message} (${code})`,
  negotiationFailed: (detail: string) =>
    `Die Medienverbindung zum Server konnte nicht eingerichtet werden (${detail}).`,
  cannotJoin: 'Beitritt nicht möglich',
  tryAgain: 'Erneut versuchen',
  dismiss: 'Schließen',
  leftTitle: 'Sie haben die Besprechung verlassen',
  rejoin: 'Wieder beitreten',
  audioBlocked: 'Der Browser hat den Ton der Besprechung blockiert.',
  enableAudio: 'Ton abspielen',
};
