# Copyright (c) mmpose-multikd contributors. All rights reserved.
