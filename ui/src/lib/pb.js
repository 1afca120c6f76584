// The one PocketBase client of the workspace (made by ../shared/pb.js), with
// the staff session under its own localStorage key.
import { createClient } from '../shared/pb.js'

export const pb = createClient('vinculo_staff_auth')
