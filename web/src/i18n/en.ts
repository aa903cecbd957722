// English messages: the reference catalog. Every other language must provide exactly these
// keys with the same types (see de.ts), so a missing translation fails the typecheck.

export const en = {
  languageName: 'English',
  languageLabel: 'Language',
  productName: 'Treff',
  tagline: 'Private video meetings, served from your own server.',

  // Landing page
  startMeeting: 'Start a new meeting',
  startMeetingHint: 'Creates a meeting with a name nobody can guess, then opens it.',
  joinHeading: 'Join a meeting',
  meetingNameLabel: 'Meeting name or link',
  meetingNamePlaceholder: 'e.g. brave-otter-k3x9m-p2q7r-t4w8z',
  joinButton: 'Join',
  nameEmpty: 'Enter the name of the meeting.',
  nameTooLong: 'A meeting name can have at most 64 characters.',
  nameBadCharacters: 'A meeting name may only contain letters A–Z, digits, “-”, “_” and “.”.',
  nameReserved: 'This name is used by the server itself. Please choose another one.',
  guessableWarning: 'Others could guess this name and join uninvited. A longer name, or ' +
    '“Start a new meeting”, is safer.',
  willJoin: (name: string) => `You will join “${name}”.`,
  echoTestLink: 'Test your camera and microphone (echo test)',
  privacyLink: 'Privacy policy',
  imprintLink: 'Imprint',
  legalNav: 'Legal information',

  // Meeting page: address problems
  badMeetingTitle: 'This is not a valid meeting address',
  badMeetingText: 'Meeting names have 1 to 64 characters: letters A–Z, digits, “-”, “_” and “.”.',
  backHome: 'Back to the start page',

  // Pre-join
  prejoinTitle: 'Ready to join?',
  meetingLabel: 'Meeting',
  displayNameLabel: 'Your name',
  displayNameHint: 'Shown to the other participants. Not stored.',
  displayNameMissing: 'Please enter your name.',
  displayNameInvalid: 'Your name can have at most 64 characters and no control characters.',
  previewLabel: 'Preview of your camera',
  cameraOffPreview: 'Camera is off',
  startingMedia: 'Starting camera and microphone…',
  cameraLabel: 'Camera',
  microphoneLabel: 'Microphone',
  speakerLabel: 'Speaker',
  defaultDevice: 'Default',
  noDevice: 'None found',
  unnamedDevice: (kind: string, n: number) => `${kind} ${n}`,
  joinMeeting: 'Join meeting',
  joining: 'Joining…',
  devicesHeading: 'Devices',

  // Media errors
  mediaBlocked: 'Camera and microphone access is blocked. To allow it, click the camera or ' +
    'lock icon next to the address bar, choose “Allow”, then reload the page. You can also ' +
    'join without them.',
  mediaNotFound: 'No camera or microphone was found. You can join without them, or connect ' +
    'one and reload the page.',
  cameraNotFound: 'No camera was found: you will join without video.',
  microphoneNotFound: 'No microphone was found: you will join without sound from you.',
  mediaInUse: 'The camera or microphone is in use by another application. Close it and try ' +
    'again.',
  mediaInsecure: 'This page cannot use the camera: it must be opened over https.',
  mediaOther: (detail: string) => `The camera or microphone could not be started (${detail}).`,
  screenShareFailed: 'The screen could not be shared.',

  // Call
  callRegion: 'Meeting',
  youSuffix: '(you)',
  you: 'You',
  participantsCount: (n: number) => (n === 1 ? '1 participant' : `${n} participants`),
  videosLabel: 'Participants’ videos',
  stageLabel: 'Shared screen',
  screenOf: (name: string) => `${name}’s screen`,
  yourScreen: 'Your screen',
  micMuted: 'microphone muted',
  cameraOff: 'camera off',
  reconnectingBadge: 'Reconnecting…',
  qualityGood: 'Connection: good',
  qualityMedium: 'Connection: medium',
  qualityPoor: 'Connection: poor',
  qualityUnknown: 'Connection: not measured yet',
  lossLabel: 'packet loss',
  jitterLabel: 'jitter',
  rttLabel: 'round trip',
  waitingForOthers: 'You are the only one here. Share the link to invite others.',
  speaking: 'speaking',
  videoPaused: 'Video paused to save bandwidth',
  screenPaused: 'Screen paused to save bandwidth',
  pin: (name: string) => `Pin ${name}`,
  pinned: 'pinned',
  mainViewLabel: 'Main view',
  gridPagesLabel: 'Pages of participants',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageOf: (page: number, pages: number) => `Page ${page} of ${pages}`,

  // Controls
  controlsLabel: 'Meeting controls',
  muteMic: 'Mute microphone',
  muteMicShort: 'Mute',
  cameraToggle: 'Turn off camera',
  cameraToggleShort: 'Camera',
  shareScreen: 'Share screen',
  shareScreenShort: 'Share',
  speakerView: 'Speaker view',
  chat: 'Chat',
  unread: (n: number) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  participants: 'Participants',
  settings: 'Settings',
  leave: 'Leave meeting',
  leaveShort: 'Leave',
  closePanel: 'Close panel',

  // Chat
  chatEmpty: 'No messages yet.',
  messageLabel: 'Message',
  messagePlaceholder: 'Write a message…',
  send: 'Send',
  newMessageFrom: (name: string, text: string) => `${name}: ${text}`,
  messageTooLong: 'A message can have at most 2000 characters.',

  // Participants panel
  copyLink: 'Copy meeting link',
  linkCopied: 'Link copied.',
  copyFailed: 'Copying failed; the link is in the address bar.',
  joinedAnnouncement: (name: string) => `${name} joined.`,
  leftAnnouncement: (name: string) => `${name} left.`,

  // Settings panel
  settingsHeading: 'Settings',
  speakerUnsupported: 'This browser plays sound on its default output only.',
  maxVideosLabel: 'Videos received at once',
  maxVideosAll: 'All',
  maxVideosNone: 'None (audio only)',
  maxVideosHint: 'Fewer videos save bandwidth. Pinned people and recent speakers come first; ' +
    'the others are shown paused.',

  // Connection state and errors
  connecting: 'Connecting to the server…',
  serverUnreachable: 'Server unreachable, reconnecting…',
  mediaInterrupted: 'The media connection is interrupted; trying to restore it…',
  meetingFull: 'This meeting is full. Try again later, or ask the organiser.',
  serverFull: 'The server is busy with too many meetings. Please try again in a few minutes.',
  badMeetingError: 'The server does not accept this meeting name.',
  badNameError: 'The server does not accept this display name. Please choose another one.',
  serverError: (message: string, code: string) => `The server reported an error: ${message} (${code})`,
  negotiationFailed: (detail: string) =>
    `The media connection to the server could not be set up (${detail}).`,
  cannotJoin: 'You could not join the meeting',
  tryAgain: 'Try again',
  dismiss: 'Dismiss',
  leftTitle: 'You left the meeting',
  rejoin: 'Rejoin',
  audioBlocked: 'The browser blocked sound from the meeting.',
  enableAudio: 'Play sound',
};

export type Messages = typeof en;
