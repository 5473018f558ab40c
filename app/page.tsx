import { HomeActions } from './home-actions';

export default function HomePage() {
  return (
    <main>
      <h1>Convene</h1>
      <p>Video meetings where the host&apos;s controls really hold.</p>
      <HomeActions />
    </main>
  );
}
