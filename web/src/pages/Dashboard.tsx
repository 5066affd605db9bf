import { Navigate } from 'react-router-dom';
import { useSite } from '../components/SiteContext';
import { Loading } from '../components/Status';

// The learner dashboard (GET /api/learner_home/init) is the next page to build;
// until then signed-in learners land on the catalog.
export default function Dashboard() {
  const { user } = useSite();
  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to="/login?next=/dashboard" replace />;
  return <Navigate to="/courses" replace />;
}
