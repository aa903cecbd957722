// Word lists for readable meeting names. Each list has exactly 128 entries (7 bits per word), so
// a random byte masked to 7 bits picks a word without bias. Short, plain English words that read
// well in a link; none is a reserved page name.

export const ADJECTIVES: readonly string[] = [
  'agile', 'amber', 'ample', 'azure', 'bold', 'brave', 'breezy', 'bright',
  'brisk', 'calm', 'candid', 'cheerful', 'civil', 'clear', 'clever', 'cosmic',
  'cozy', 'crisp', 'curious', 'dapper', 'daring', 'deft', 'eager', 'early',
  'earnest', 'easy', 'electric', 'elegant', 'epic', 'fair', 'fancy', 'fearless',
  'festive', 'fine', 'firm', 'fluent', 'fond', 'frank', 'fresh', 'friendly',
  'gentle', 'gifted', 'glad', 'golden', 'grand', 'green', 'happy', 'hardy',
  'hearty', 'honest', 'humble', 'ideal', 'jolly', 'joyful', 'keen', 'kind',
  'lively', 'loyal', 'lucid', 'lucky', 'lunar', 'magic', 'mellow', 'merry',
  'mighty', 'modern', 'modest', 'neat', 'nimble', 'noble', 'novel', 'open',
  'patient', 'plucky', 'polite', 'proud', 'quick', 'quiet', 'radiant', 'rapid',
  'rare', 'ready', 'regal', 'robust', 'rosy', 'royal', 'rustic', 'sage',
  'serene', 'sharp', 'shiny', 'silent', 'silver', 'simple', 'sleek', 'smart',
  'smooth', 'snug', 'solar', 'solid', 'sonic', 'spry', 'stable', 'steady',
  'stellar', 'still', 'sturdy', 'sunny', 'super', 'swift', 'tidy', 'tranquil',
  'true', 'trusty', 'upbeat', 'urban', 'valiant', 'vast', 'velvet', 'vivid',
  'warm', 'wild', 'wise', 'witty', 'young', 'zesty', 'zippy', 'bouncy',
];

export const NOUNS: readonly string[] = [
  'acorn', 'anchor', 'apple', 'arrow', 'aspen', 'badger', 'bamboo', 'beacon',
  'beaver', 'birch', 'bison', 'breeze', 'brook', 'cactus', 'canyon', 'cedar',
  'cherry', 'cloud', 'clover', 'comet', 'coral', 'cotton', 'crane', 'creek',
  'daisy', 'delta', 'dolphin', 'dune', 'eagle', 'ember', 'falcon', 'fern',
  'finch', 'fjord', 'forest', 'fox', 'galaxy', 'garden', 'glacier', 'harbor',
  'hazel', 'heron', 'hill', 'horizon', 'island', 'ivy', 'jasmine', 'juniper',
  'kestrel', 'kite', 'lagoon', 'lake', 'lantern', 'lark', 'laurel', 'lemon',
  'lily', 'lotus', 'lynx', 'maple', 'marble', 'meadow', 'meteor', 'mint',
  'moon', 'moss', 'mountain', 'nebula', 'nutmeg', 'oak', 'ocean', 'olive',
  'orbit', 'orchid', 'otter', 'owl', 'panda', 'pebble', 'pepper', 'pine',
  'planet', 'plum', 'pond', 'poppy', 'prairie', 'quartz', 'rabbit', 'raven',
  'reef', 'river', 'robin', 'rocket', 'saffron', 'salmon', 'sequoia', 'shore',
  'sparrow', 'spruce', 'squirrel', 'star', 'stone', 'summit', 'swan', 'thistle',
  'thunder', 'tiger', 'tulip', 'valley', 'violet', 'walnut', 'willow', 'wind',
  'wolf', 'wren', 'yarrow', 'zebra', 'zephyr', 'bear', 'dove', 'glade',
  'grove', 'hawk', 'iris', 'koala', 'llama', 'mango', 'peach', 'puffin',
];

// Words people tend to pick for meeting names by hand. A name made only of these (and of our
// own word lists, and short numbers) is easy to guess.
export const COMMON_WORDS: readonly string[] = [
  'meeting', 'meet', 'call', 'room', 'team', 'teams', 'test', 'testing', 'demo', 'daily',
  'weekly', 'standup', 'stand', 'up', 'sync', 'chat', 'talk', 'hello', 'hi', 'my', 'our', 'the',
  'a', 'an', 'and', 'of', 'for', 'with', 'new', 'office', 'work', 'project', 'group', 'class',
  'school', 'family', 'friends', 'party', 'lunch', 'coffee', 'board', 'sales', 'dev', 'ops',
  'it', 'hr', 'admin', 'support', 'help', 'general', 'main', 'private', 'public', 'secret',
  'conference', 'video', 'zoom', 'jitsi', 'treff', 'one', 'two', 'three', 'monday', 'tuesday',
  'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'morning', 'evening', 'today',
  'besprechung', 'sitzung', 'treffen', 'runde', 'gruppe', 'klasse', 'schule', 'familie',
  'freunde', 'buero', 'arbeit', 'projekt', 'termin', 'konferenz', 'raum', 'kaffee', 'montag',
  'dienstag', 'mittwoch', 'donnerstag', 'freitag', 'woche', 'jour', 'fixe', 'abteilung',
];
