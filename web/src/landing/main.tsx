// The landing page (a placeholder until meetings exist): what Treff is, and the echo test.
import { render } from 'preact';

function Landing() {
  return (
    <main class="page">
      <h1>Treff</h1>
      <p class="lead">Private video meetings, served from your own server.</p>
      <p>
        Check that your camera, microphone and network work with this server:{' '}
        <a href="/echo">open the echo test</a>.
      </p>
    </main>
  );
}

const root = document.getElementById('app');
if (root) render(<Landing />, root);
