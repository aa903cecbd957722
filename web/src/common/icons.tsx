// Small line icons drawn inline (no image requests). Decorative: the buttons carry the text.
import type { ComponentChildren } from 'preact';

function Svg({ children }: { children: ComponentChildren }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"
         focusable="false" fill="none" stroke="currentColor" stroke-width="2"
         stroke-linecap="round" stroke-linejoin="round">
      {children}
    </svg>
  );
}

export const MicIcon = ({ off = false }: { off?: boolean }) => (
  <Svg>
    <rect x="9" y="3" width="6" height="11" rx="3" />
    <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    {off && <path d="M3 3l18 18" />}
  </Svg>
);

export const CameraIcon = ({ off = false }: { off?: boolean }) => (
  <Svg>
    <rect x="3" y="6" width="13" height="12" rx="2" />
    <path d="M16 10l5-3v10l-5-3z" />
    {off && <path d="M2 3l19 18" />}
  </Svg>
);

export const ScreenIcon = () => (
  <Svg>
    <rect x="3" y="4" width="18" height="12" rx="2" />
    <path d="M8 20h8M12 16v4M12 7v6M9 10l3-3 3 3" />
  </Svg>
);

export const ChatIcon = () => (
  <Svg><path d="M4 5h16v11H9l-5 4z" /></Svg>
);

export const PeopleIcon = () => (
  <Svg>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 3.5 6" />
  </Svg>
);

export const SettingsIcon = () => (
  <Svg>
    <path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0" />
    <circle cx="16" cy="6" r="2" /><circle cx="10" cy="12" r="2" /><circle cx="18" cy="18" r="2" />
  </Svg>
);

export const LeaveIcon = () => (
  <Svg><path d="M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10" /></Svg>
);

export const CloseIcon = () => (
  <Svg><path d="M6 6l12 12M18 6L6 18" /></Svg>
);

// A pushpin; filled while the participant is pinned.
export const PinIcon = ({ filled = false }: { filled?: boolean }) => (
  <Svg>
    <path d="M9 3h6l-1 6 4 4H6l4-4zM12 13v8" fill={filled ? 'currentColor' : 'none'} />
  </Svg>
);

// One large picture above a row of small ones.
export const SpeakerViewIcon = () => (
  <Svg>
    <rect x="3" y="3" width="18" height="12" rx="1.5" />
    <path d="M3 20h4M10 20h4M17 20h4" />
  </Svg>
);

export const ChevronIcon = ({ direction }: { direction: 'left' | 'right' }) => (
  <Svg><path d={direction === 'left' ? 'M15 5l-7 7 7 7' : 'M9 5l7 7-7 7'} /></Svg>
);

export const PauseIcon = () => (
  <Svg><path d="M9 5v14M15 5v14" /></Svg>
);

// A speaker with sound waves: someone is talking.
export const SpeakingIcon = () => (
  <Svg>
    <path d="M4 9h4l5-4v14l-5-4H4z" />
    <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />
  </Svg>
);
